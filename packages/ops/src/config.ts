import { readEnv } from "@app/core/config";
import { z } from "zod";

/**
 * What the ops command reads from the environment besides the local
 * contract: the Clerk key for `reconcile`, and Clerk's API address,
 * which only a stand-in changes.
 */
export function opsConfig(env = process.env) {
  const parsed = readEnv(
    {
      CLERK_SECRET_KEY: z
        .string()
        .regex(/^sk_(live|test)_[A-Za-z0-9]+$/, "expected sk_live_ or sk_test_")
        .optional(),
      CLERK_API_URL: z.url().optional(),
    },
    env,
  );
  return {
    clerkSecretKey: parsed.CLERK_SECRET_KEY,
    clerkApiUrl: parsed.CLERK_API_URL,
  };
}
