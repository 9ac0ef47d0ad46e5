import { SignIn } from "@clerk/nextjs";
import { safeReturnPath } from "@app/core/paths";
import { siteConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

const errors: Record<string, string> = {
  "unknown-user": "No local user has that email. Sign up first.",
  exists: "An account with that email exists already. Log in instead.",
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; redirect_url?: string }>;
}) {
  const { error, redirect_url } = await searchParams;
  const returnTo = safeReturnPath(redirect_url);
  if (!siteConfig().offline) {
    return <SignIn routing="hash" signUpUrl="/signup" forceRedirectUrl={returnTo} />;
  }
  const message = error ? errors[error] : undefined;
  return (
    <>
      <h1>Log in</h1>
      {message && (
        <p className="error" data-testid="login-error">
          {message}
        </p>
      )}
      <form method="post" action="/local/sign-in" className="stack">
        <input type="hidden" name="redirect_url" value={returnTo} />
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <button type="submit" className="button">
          Log in
        </button>
      </form>
    </>
  );
}
