import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Api as HttpApi, use, type StackContext } from "sst/constructs";
import { Provisioning } from "./provisioning.js";
import { Secrets } from "./secrets.js";

export const clerkWebhookPath = "/webhooks/clerk";
export const stripeWebhookPath = "/webhooks/stripe";

export function Api({ stack }: StackContext) {
  const { CLERK_WEBHOOK_SECRET, STRIPE_WEBHOOK_SECRET } = use(Secrets);
  const { queue } = use(Provisioning);
  // Both webhooks only verify and enqueue: the queue is all they may touch.
  const enqueuer = (service: string) => ({
    environment: {
      PROVISION_QUEUE_URL: queue.queueUrl,
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_LOG_LEVEL: "INFO",
    },
    permissions: [
      new PolicyStatement({
        actions: ["sqs:SendMessage"],
        resources: [queue.queueArn],
      }),
    ],
  });
  const api = new HttpApi(stack, "api", {
    // Svix and Stripe call server to server; no browser needs CORS.
    cors: false,
    defaults: {
      // Without a stage limit, forged calls could draw on the account's
      // regional API Gateway quota that other APIs share. Svix retries a
      // throttled (429) delivery, so a cap far above the sign-up rate
      // loses no webhook.
      throttle: { rate: 100, burst: 200 },
    },
    routes: {
      [`POST ${clerkWebhookPath}`]: {
        function: {
          handler: "packages/functions/src/clerk-webhook.handler",
          ...enqueuer("clerk-webhook"),
          bind: [CLERK_WEBHOOK_SECRET],
        },
      },
      [`POST ${stripeWebhookPath}`]: {
        function: {
          handler: "packages/functions/src/stripe-webhook.handler",
          ...enqueuer("stripe-webhook"),
          bind: [STRIPE_WEBHOOK_SECRET],
        },
      },
    },
  });
  stack.addOutputs({
    ApiUrl: api.url,
    ClerkWebhookUrl: `${api.url}${clerkWebhookPath}`,
    StripeWebhookUrl: `${api.url}${stripeWebhookPath}`,
  });
  return { api };
}
