import { readEnv } from "@app/core/config";
import { createStripeVerifier } from "@app/core/stripe";
import { z } from "zod";
import { boundSecret } from "./config";

type Env = Record<string, string | undefined>;

/** Stripe's webhook: the same queue, its own endpoint secret. */
export function stripeWebhookConfig(env: Env = process.env) {
  const { PROVISION_QUEUE_URL } = readEnv(
    { PROVISION_QUEUE_URL: z.url() },
    env,
  );
  const secret =
    env.STRIPE_WEBHOOK_SECRET || boundSecret("STRIPE_WEBHOOK_SECRET");
  return {
    queueUrl: PROVISION_QUEUE_URL,
    verifier: createStripeVerifier(secret),
  };
}

export type StripeWebhookConfig = ReturnType<typeof stripeWebhookConfig>;
