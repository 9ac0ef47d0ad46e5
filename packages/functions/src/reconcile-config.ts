import { customersTable, readEnv } from "@app/core/config";
import { ConfigError } from "@app/core/errors";
import { boundSecret } from "./config";
import { z } from "zod";

type Env = Record<string, string | undefined>;

/** Clerk's Backend API secret: `sk_live_...` or `sk_test_...`. */
const secretKeyPattern = /^sk_(live|test)_[A-Za-z0-9]+$/;

/**
 * Deployed, SST binds CLERK_SECRET_KEY and fetches it from SSM when the
 * function starts; offline and in tests the plain variable is used.
 */
export function reconcileConfig(env: Env = process.env) {
  const { CLERK_API_URL } = readEnv({ CLERK_API_URL: z.url().optional() }, env);
  // `||`, not `??`: an empty variable must not hide the bound secret.
  const secretKey = env.CLERK_SECRET_KEY || boundSecret("CLERK_SECRET_KEY");
  if (!secretKey) {
    throw new ConfigError("CLERK_SECRET_KEY is not set", ["CLERK_SECRET_KEY"]);
  }
  if (!secretKeyPattern.test(secretKey)) {
    throw new ConfigError(
      "CLERK_SECRET_KEY is malformed: expected sk_live_ or sk_test_",
      ["CLERK_SECRET_KEY"],
    );
  }
  return {
    secretKey,
    apiUrl: CLERK_API_URL,
    customersTable: customersTable(env),
  };
}

export type ReconcileConfig = ReturnType<typeof reconcileConfig>;
