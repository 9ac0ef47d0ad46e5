import { customersTable, readEnv } from "@app/core/config";
import { stripeClient } from "@app/core/stripe";
import { z } from "zod";
import { boundSecret } from "./config";

type Env = Record<string, string | undefined>;

/**
 * The consumer needs the table at start; Stripe's key only when a Stripe
 * event arrives, so a missing key fails those events (retried, then the
 * DLQ) and never Clerk's.
 */
export function consumerConfig(env: Env = process.env) {
  const { STRIPE_API_URL } = readEnv(
    { STRIPE_API_URL: z.url().optional() },
    env,
  );
  return {
    customersTable: customersTable(env),
    stripe: () =>
      stripeClient({
        secretKey: env.STRIPE_SECRET_KEY || boundSecret("STRIPE_SECRET_KEY"),
        apiUrl: STRIPE_API_URL,
      }),
  };
}
