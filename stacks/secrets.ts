import { Config, type StackContext } from "sst/constructs";

export function Secrets({ stack }: StackContext) {
  const CLERK_WEBHOOK_SECRET = new Config.Secret(
    stack,
    "CLERK_WEBHOOK_SECRET",
  );
  const CLERK_SECRET_KEY = new Config.Secret(stack, "CLERK_SECRET_KEY");
  // Not secret, but it differs per stage and per Clerk instance, and a
  // secret is set per stage with the same command as the others.
  const CLERK_PUBLISHABLE_KEY = new Config.Secret(
    stack,
    "CLERK_PUBLISHABLE_KEY",
  );
  return { CLERK_WEBHOOK_SECRET, CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY };
}
