import { readEnv } from "@app/core/config";
import { ConfigError } from "@app/core/errors";
import { createVerifier } from "@app/core/clerk";
import { Config } from "sst/node/config";
import { z } from "zod";

type Env = Record<string, string | undefined>;

/**
 * Deployed, SST binds the Config.Secret and resolves it from SSM while the
 * function starts; offline and in tests the plain variable is used.
 */
export function boundSecret(name: string): string | undefined {
  try {
    return (Config as unknown as Record<string, string>)[name];
  } catch {
    return undefined;
  }
}

export function webhookConfig(env: Env = process.env) {
  const { PROVISION_QUEUE_URL } = readEnv(
    { PROVISION_QUEUE_URL: z.url() },
    env,
  );
  // `||`, not `??`: an empty variable must not hide the bound secret.
  const secret =
    env.CLERK_WEBHOOK_SECRET || boundSecret("CLERK_WEBHOOK_SECRET");
  return { queueUrl: PROVISION_QUEUE_URL, verifier: createVerifier(secret) };
}

export type WebhookConfig = ReturnType<typeof webhookConfig>;

/**
 * Reads a handler's settings once, when the function starts. A bad
 * setting is kept and reported on every invocation, so the platform keeps
 * retrying until it is fixed instead of the function failing to start.
 */
export function loadOnce<T>(load: () => T): T | ConfigError {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}
