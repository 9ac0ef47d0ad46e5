import { readEnv } from "@app/core/config";
import { z } from "zod";

/**
 * The site's settings, read on every request (never at import or build
 * time), so one build runs on any stage and `next build` needs no AWS.
 */
export function siteConfig() {
  const env = readEnv({
    CLERK_PUBLISHABLE_KEY: z.string().regex(/^pk_(live|test)_/).optional(),
    // PEM public key: lets Clerk verify sessions without fetching JWKS.
    CLERK_JWT_KEY: z.string().includes("BEGIN PUBLIC KEY").optional(),
    OFFLINE_MODE: z.enum(["true", "false"]).default("false"),
  });
  return {
    publishableKey: env.CLERK_PUBLISHABLE_KEY,
    jwtKey: env.CLERK_JWT_KEY,
    /** Signed in by the local stand-in for Clerk (packages/local). */
    offline: env.OFFLINE_MODE === "true",
  };
}

export const signInUrl = "/login";
export const signUpUrl = "/signup";
