import { join } from "node:path";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CustomersTable, ProvisionQueue } from "@app/core/settings";
import { startApi, type LocalApi } from "./api";
import type { LocalConfig } from "./config";
import { startDynamoDb, type LocalDynamo } from "./dynamodb";
import { startPoller, type Poller } from "./poller";
import {
  ensureQueues,
  ensureTable,
  queuedMessages,
  type QueueUrls,
} from "./resources";
import { startSqs, type LocalSqs } from "./sqs";
import { startStripeStandIn, type StripeStandIn } from "./stripe-api/index";
import { offlineClerk } from "./clerk-offline";
import { startFront } from "./front";
import { ensureSiteBuilt, startNext } from "./site";
import { localUsers } from "./users";

export type LocalStack = {
  apiUrl: string;
  siteUrl?: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  queues: QueueUrls;
  /** The local Stripe: its API, hosted pages and the events it sent. */
  stripe: StripeStandIn;
  stop(): Promise<void>;
};

/**
 * Starts everything the deployed pipeline has, on this machine: DynamoDB
 * Local, the SQS server, the real webhook handlers behind a local HTTP
 * front, the real consumer behind a poller, and a local Stripe.
 */
export async function startStack(
  config: LocalConfig,
  options: {
    inMemory: boolean;
    site: boolean;
    visibilityTimeoutSeconds?: number;
    /**
     * Test hook: where the site alone sends its DynamoDB requests, so a
     * test can record them or cut the site off while the consumer keeps
     * writing. Defaults to DynamoDB Local itself.
     */
    siteDynamoEndpoint?: string;
  },
): Promise<LocalStack> {
  const stoppers: Array<() => Promise<void>> = [];
  let stopped: Promise<void> | undefined;
  // Parts stop in the reverse order of their start, once.
  const stop = () =>
    (stopped ??= (async () => {
      for (const stopPart of [...stoppers].reverse()) await stopPart();
    })());
  try {
    const dynamo: LocalDynamo = await startDynamoDb({
      port: config.dynamoPort,
      dataDir: options.inMemory ? undefined : config.dataDir,
    });
    stoppers.push(dynamo.stop);
    const sqs: LocalSqs = await startSqs({ port: config.sqsPort });
    stoppers.push(sqs.stop);
    await ensureTable(dynamo.endpoint, config.customersTable);
    const queues = await ensureQueues(sqs.endpoint);
    // Stripe's events go to the webhook below, which starts later; none
    // is sent before someone pays.
    const stripe = await startStripeStandIn({
      port: config.stripePort,
      stateFile: options.inMemory
        ? undefined
        : join(config.stateDir, "stripe.json"),
      webhook: {
        url: `http://127.0.0.1:${config.apiPort}/webhooks/stripe`,
        secret: config.stripeWebhookSecret,
      },
    });
    stoppers.push(stripe.stop);
    useLocalEndpoints(config, dynamo.endpoint, sqs.endpoint, queues, stripe);

    // Imported only now: the handlers read their settings when loaded.
    const webhook = await import("@app/functions/clerk-webhook");
    const stripeWebhook = await import("@app/functions/stripe-webhook");
    const provision = await import("@app/functions/provision");
    const sqsClient = new SQSClient({});
    const poller: Poller = startPoller({
      client: sqsClient,
      queueUrl: queues.queueUrl,
      handler: (event) => provision.handler(event),
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      onError: (error) => console.error("poller error", String(error)),
    });
    stoppers.push(async () => {
      await poller.stop();
      sqsClient.destroy();
    });
    // Runs once the API has stopped taking deliveries: the SQS server
    // keeps messages in memory, so what is still queued is consumed now.
    stoppers.push(() => drain(sqsClient, queues.queueUrl));
    const api: LocalApi = await startApi({
      port: config.apiPort,
      routes: {
        "POST /webhooks/clerk": webhook.handler,
        "POST /webhooks/stripe": stripeWebhook.handler,
      },
      health: () => health(dynamo, sqsClient, queues.queueUrl, poller),
    });
    stoppers.push(api.stop);
    const siteUrl = options.site
      ? await startSite(config, options, api.url, stripe, stoppers)
      : undefined;
    return {
      apiUrl: api.url,
      siteUrl,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      queues,
      stripe,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function health(
  dynamo: LocalDynamo,
  sqs: SQSClient,
  queueUrl: string,
  poller: Poller,
): Promise<Record<string, string>> {
  const probe = (check: () => Promise<unknown>) =>
    check().then(
      () => "ok",
      () => "down",
    );
  return {
    dynamodb: await probe(() => dynamo.ping()),
    sqs: await probe(() =>
      sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["QueueArn"],
        }),
      ),
    ),
    consumer: poller.running ? "ok" : "down",
  };
}

/** Waits up to 30 s for the queue to empty, saying so while it waits. */
async function drain(sqs: SQSClient, queueUrl: string) {
  const deadline = Date.now() + 30_000;
  let announced = false;
  for (;;) {
    const left = await queuedMessages(sqs, queueUrl).catch(() => 0);
    if (left === 0) return;
    if (!announced) {
      console.error(
        "writing the queued messages before stopping (up to 30 s; " +
          "Ctrl-C again to stop at once)",
      );
      announced = true;
    }
    if (Date.now() > deadline) {
      // A failing message stays in flight for its visibility timeout.
      console.error("messages still queued are dropped with the stack");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The Next.js site, built for real and run with `next start`, behind the
 * local stand-in for Clerk. It reads the same table as the consumer.
 */
async function startSite(
  config: LocalConfig,
  { inMemory, siteDynamoEndpoint }: {
    inMemory: boolean;
    siteDynamoEndpoint?: string;
  },
  apiUrl: string,
  stripe: StripeStandIn,
  stoppers: Array<() => Promise<void>>,
): Promise<string> {
  const origin = `http://localhost:${config.webPort}`;
  const state = (name: string) =>
    inMemory ? undefined : `${config.stateDir}/${name}`;
  const clerk = offlineClerk(origin, state("clerk-signing-key.pem"));
  ensureSiteBuilt((line) => console.log(line));
  const next = await startNext({
    CLERK_PUBLISHABLE_KEY: clerk.publishableKey,
    CLERK_SECRET_KEY: clerk.secretKey,
    CLERK_JWT_KEY: clerk.jwtKey,
    NEXT_PUBLIC_CLERK_SIGN_IN_URL: "/login",
    NEXT_PUBLIC_CLERK_SIGN_UP_URL: "/signup",
    OFFLINE_MODE: "true",
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_URL: stripe.url,
    STRIPE_PRICE_ID: stripe.priceId,
    ...(siteDynamoEndpoint && {
      AWS_ENDPOINT_URL_DYNAMODB: siteDynamoEndpoint,
    }),
  });
  stoppers.push(next.stop);
  const front = await startFront({
    port: config.webPort,
    nextUrl: next.url,
    clerk,
    users: localUsers(state("users.json")),
    webhook: {
      url: `${apiUrl}/webhooks/clerk`,
      secret: config.webhookSecret,
    },
  });
  stoppers.push(front.stop);
  return front.url;
}

/**
 * Points the ordinary AWS SDK clients of this process at the local
 * services; the handlers use them without knowing they are local.
 */
function useLocalEndpoints(
  config: LocalConfig,
  dynamoEndpoint: string,
  sqsEndpoint: string,
  queues: QueueUrls,
  stripe: StripeStandIn,
) {
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    CUSTOMERS_TABLE: config.customersTable,
    PROVISION_QUEUE_URL: queues.queueUrl,
    CLERK_WEBHOOK_SECRET: config.webhookSecret,
    STRIPE_WEBHOOK_SECRET: config.stripeWebhookSecret,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_URL: stripe.url,
  });
}

export { CustomersTable, ProvisionQueue };
