import { Config, type StackContext } from "sst/constructs";
import { stripePriceId } from "./stripe-price.js";

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
  const STRIPE_SECRET_KEY = new Config.Secret(stack, "STRIPE_SECRET_KEY");
  const STRIPE_WEBHOOK_SECRET = new Config.Secret(
    stack,
    "STRIPE_WEBHOOK_SECRET",
  );
  // The price is part of the product's definition, not a credential: a
  // parameter, fixed at deploy from STRIPE_PRICE_ID.
  const STRIPE_PRICE_ID = new Config.Parameter(stack, "STRIPE_PRICE_ID", {
    value: stripePriceId(),
  });
  return {
    CLERK_WEBHOOK_SECRET,
    CLERK_SECRET_KEY,
    CLERK_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    STRIPE_PRICE_ID,
  };
}
