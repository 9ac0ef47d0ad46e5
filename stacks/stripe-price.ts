import { readEnv } from "../packages/core/src/config/index.js";
import { z } from "zod";

type Env = Record<string, string | undefined>;

/**
 * The pro plan's Stripe price, read at synth like ALARM_EMAIL: SST loads
 * `.env` and `.env.<stage>` first, so a stage sets it there or in the
 * deploying shell. A deploy without it stops here, naming the variable.
 */
export function stripePriceId(env: Env = process.env): string {
  return readEnv(
    {
      STRIPE_PRICE_ID: z
        .string()
        .regex(/^price_[A-Za-z0-9]+$/, "expected price_..."),
    },
    env,
  ).STRIPE_PRICE_ID;
}
