import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Api as HttpApi, use, type StackContext } from "sst/constructs";
import { Provisioning } from "./provisioning.js";
import { Secrets } from "./secrets.js";

export const clerkWebhookPath = "/webhooks/clerk";

export function Api({ stack }: StackContext) {
  const { CLERK_WEBHOOK_SECRET } = use(Secrets);
  const { queue } = use(Provisioning);
  const api = new HttpApi(stack, "api", {
    // Svix calls the webhook server to server; no browser needs CORS.
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
          environment: {
            PROVISION_QUEUE_URL: queue.queueUrl,
            POWERTOOLS_SERVICE_NAME: "clerk-webhook",
            POWERTOOLS_LOG_LEVEL: "INFO",
          },
          bind: [CLERK_WEBHOOK_SECRET],
          permissions: [
            new PolicyStatement({
              actions: ["sqs:SendMessage"],
              resources: [queue.queueArn],
            }),
          ],
        },
      },
    },
  });
  stack.addOutputs({
    ApiUrl: api.url,
    ClerkWebhookUrl: `${api.url}${clerkWebhookPath}`,
  });
  return { api };
}
