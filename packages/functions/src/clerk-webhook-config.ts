import { createVerifier } from "@app/core/clerk";
import { readEnv } from "@app/core/config";
import { z } from "zod";
import { boundSecret } from "./config";

type Env = Record<string, string | undefined>;

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
