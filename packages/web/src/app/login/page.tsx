import { SignIn } from "@clerk/nextjs";
import { siteConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

const errors: Record<string, string> = {
  "unknown-user": "No local user has that email. Sign up first.",
  exists: "An account with that email exists already. Log in instead.",
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string }>;
}) {
  if (!siteConfig().offline) {
    return <SignIn routing="hash" signUpUrl="/signup" forceRedirectUrl="/dashboard" />;
  }
  const { error } = await searchParams;
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
