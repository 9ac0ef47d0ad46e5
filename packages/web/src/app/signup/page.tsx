import { SignUp } from "@clerk/nextjs";
import { safeReturnPath } from "@app/core/paths";
import { siteConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

const errors: Record<string, string> = {
  invalid: "Please give a valid email address.",
};

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; redirect_url?: string }>;
}) {
  const { error, redirect_url } = await searchParams;
  // Back to where the user was going (checkout, say), on this site only.
  const returnTo = safeReturnPath(redirect_url);
  if (!siteConfig().offline) {
    return <SignUp routing="hash" signInUrl="/login" forceRedirectUrl={returnTo} />;
  }
  return (
    <>
      <h1>Create your account</h1>
      {error && errors[error] && (
        <p className="error" data-testid="signup-error">
          {errors[error]}
        </p>
      )}
      <p>
        Offline sign-up: the local stand-in for Clerk creates the user, signs
        you in and sends Clerk&apos;s <code>user.created</code> webhook.
      </p>
      <form
        method="post"
        action="/local/sign-up"
        className="stack"
        data-testid="signup-form"
      >
        <input type="hidden" name="redirect_url" value={returnTo} />
        <label>
          Email
          <input
            name="email"
            type="email"
            required
            autoComplete="email"
            data-testid="signup-email"
          />
        </label>
        <label>
          First name
          <input
            name="firstName"
            autoComplete="given-name"
            data-testid="signup-first-name"
          />
        </label>
        <label>
          Last name
          <input
            name="lastName"
            autoComplete="family-name"
            data-testid="signup-last-name"
          />
        </label>
        <label>
          Webhook
          <select
            name="webhook"
            defaultValue="delay:3000"
            data-testid="signup-webhook"
          >
            <option value="delay:0">delivered at once</option>
            <option value="delay:3000">delivered after 3 s</option>
            <option value="delay:5000">delivered after 5 s</option>
            <option value="delay:10000">delivered after 10 s</option>
            <option value="twice">delivered twice</option>
            <option value="never">never delivered</option>
          </select>
        </label>
        <button type="submit" className="button" data-testid="signup-submit">
          Sign up
        </button>
      </form>
    </>
  );
}
