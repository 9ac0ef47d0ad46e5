import { Config, type StackContext } from "sst/constructs";

export function Secrets({ stack }: StackContext) {
  const CLERK_WEBHOOK_SECRET = new Config.Secret(
    stack,
    "CLERK_WEBHOOK_SECRET",
  );
  return { CLERK_WEBHOOK_SECRET };
}
