import { SignUp } from "@clerk/nextjs";
import { siteConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export default function SignUpPage() {
  if (!siteConfig().offline) {
    return <SignUp routing="hash" signInUrl="/login" forceRedirectUrl="/dashboard" />;
  }
  return (
    <>
      <h1>Create your account</h1>
      <p>
        Offline sign-up: the local stand-in for Clerk creates the user, signs
        you in and sends Clerk&apos;s <code>user.created</code> webhook.
      </p>
      <form method="post" action="/local/sign-up" className="stack">
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label>
          First name
          <input name="firstName" autoComplete="given-name" />
        </label>
        <label>
          Last name
          <input name="lastName" autoComplete="family-name" />
        </label>
        <label>
          Webhook
          <select name="webhook" defaultValue="delay:3000">
            <option value="delay:0">delivered at once</option>
            <option value="delay:3000">delivered after 3 s</option>
            <option value="delay:10000">delivered after 10 s</option>
            <option value="twice">delivered twice</option>
            <option value="never">never delivered</option>
          </select>
        </label>
        <button type="submit" className="button">
          Sign up
        </button>
      </form>
    </>
  );
}
