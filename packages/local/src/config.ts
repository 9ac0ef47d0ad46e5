import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createVerifier } from "@app/core/clerk";
import { createStripeVerifier } from "@app/core/stripe";
import { readEnv, TableName } from "@app/core/config";
import { z } from "zod";

/** The repository root, where `.env` and `.local/` live. */
export const rootDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../..",
);

/**
 * The documented development signing secret (24 bytes, base64). It only
 * signs deliveries to the offline stack; never use it for a real endpoint.
 */
export const devWebhookSecret = "whsec_bG9jYWwtZGV2LXNpZ25pbmctc2VjcmV0";

/** The same, for the local Stripe's deliveries to the Stripe webhook. */
export const devStripeWebhookSecret = "whsec_local_stripe_dev_secret";

const Port = z.coerce.number().int().min(1).max(65535);

/**
 * The fixed local contract: ports, names and the signing secret, from the
 * environment or `.env`, with the documented defaults.
 */
export function localConfig(env = loadDotEnv()) {
  const parsed = readEnv(
    {
      API_PORT: Port.default(3001),
      WEB_PORT: Port.default(3000),
      DYNAMODB_PORT: Port.default(8000),
      SQS_PORT: Port.default(9324),
      STRIPE_PORT: Port.default(12111),
      CUSTOMERS_TABLE: TableName.default("customers"),
      CLERK_WEBHOOK_SECRET: z.string().default(devWebhookSecret),
      STRIPE_WEBHOOK_SECRET: z.string().default(devStripeWebhookSecret),
      LOCAL_DATA_DIR: z.string().default(join(rootDir, ".local")),
      // Test hook: the browser tests put a recording, fault-injecting
      // proxy between the site and DynamoDB Local (dynamo-proxy.ts).
      SITE_DYNAMODB_ENDPOINT: z.url().optional(),
    },
    env,
  );
  // Refuse to start with a secret a webhook would answer 500 to.
  createVerifier(parsed.CLERK_WEBHOOK_SECRET);
  createStripeVerifier(parsed.STRIPE_WEBHOOK_SECRET);
  return {
    apiPort: parsed.API_PORT,
    webPort: parsed.WEB_PORT,
    dynamoPort: parsed.DYNAMODB_PORT,
    sqsPort: parsed.SQS_PORT,
    stripePort: parsed.STRIPE_PORT,
    customersTable: parsed.CUSTOMERS_TABLE,
    webhookSecret: parsed.CLERK_WEBHOOK_SECRET,
    stripeWebhookSecret: parsed.STRIPE_WEBHOOK_SECRET,
    /** DynamoDB Local's files. */
    dataDir: join(parsed.LOCAL_DATA_DIR, "dynamodb"),
    siteDynamoEndpoint: parsed.SITE_DYNAMODB_ENDPOINT,
    /** The offline Clerk key and users, kept beside the customers. */
    stateDir: parsed.LOCAL_DATA_DIR,
  };
}

export type LocalConfig = ReturnType<typeof localConfig>;

function loadDotEnv() {
  const file = join(rootDir, ".env");
  if (existsSync(file)) process.loadEnvFile(file);
  return process.env;
}
