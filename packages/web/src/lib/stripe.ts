import { readEnv } from "@app/core/config";
import { stripeClient } from "@app/core/stripe";
import { z } from "zod";

/**
 * Stripe's settings, read when a billing route runs, never at build. A
 * site without them still serves every page that does not bill.
 */
export function siteStripe() {
  const env = readEnv({
    STRIPE_PRICE_ID: z.string().regex(/^price_[A-Za-z0-9]+$/, "expected price_..."),
    // Offline and in tests: the local stand-in for Stripe's API.
    STRIPE_API_URL: z.url().optional(),
  });
  return {
    stripe: stripeClient({
      secretKey: process.env.STRIPE_SECRET_KEY,
      apiUrl: env.STRIPE_API_URL,
    }),
    priceId: env.STRIPE_PRICE_ID,
  };
}
