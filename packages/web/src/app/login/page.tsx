import { SignIn } from "@clerk/nextjs";
import { siteConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string }>;
}) {
  if (!siteConfig().offline) {
    return <SignIn routing="hash" signUpUrl="/signup" forceRedirectUrl="/dashboard" />;
  }
  const { error } = await searchParams;
  return (
    <>
      <h1>Log in</h1>
      {error === "unknown-user" && (
        <p role="alert">No local user has that email. Sign up first.</p>
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
