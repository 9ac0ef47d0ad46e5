import { parseArgs } from "node:util";
import { ConfigError } from "@app/core/errors";
import { devStripeWebhookSecret, devWebhookSecret, localConfig } from "./config";
import { JavaMissingError, PortInUseError } from "./dynamodb";
import { startStack } from "./stack";
import { StateFileError } from "./stripe-api/index";

const usage = "usage: npm start [-- --in-memory] [--no-site]";

async function main() {
  const { values } = parseArgs({
    options: {
      "in-memory": { type: "boolean", default: false },
      "no-site": { type: "boolean", default: false },
    },
  });
  const config = localConfig();
  const stack = await startStack(config, {
    inMemory: values["in-memory"],
    site: !values["no-site"],
    siteDynamoEndpoint: config.siteDynamoEndpoint,
  });
  const secretNote =
    config.webhookSecret === devWebhookSecret ? " (dev default)" : "";
  const stripeNote =
    config.stripeWebhookSecret === devStripeWebhookSecret
      ? " (dev default)"
      : "";
  console.log(
    [
      "offline stack ready",
      ...(stack.siteUrl ? [`  site      ${stack.siteUrl}  (sign up at /signup)`] : []),
      `  webhook   POST ${stack.apiUrl}/webhooks/clerk`,
      `  webhook   POST ${stack.apiUrl}/webhooks/stripe`,
      `  health    GET  ${stack.apiUrl}/health`,
      `  dynamodb  ${stack.dynamoEndpoint}  table ${config.customersTable}` +
        (values["in-memory"] ? ", in memory" : `, data in ${config.dataDir}`),
      `  sqs       ${stack.sqsEndpoint}  queues provision, provision-dlq`,
      `  stripe    ${stack.stripe.url}  local Stripe API, checkout and portal, ` +
        `price ${stack.stripe.priceId}, ` +
        (stack.stripe.stateFile
          ? `state in ${stack.stripe.stateFile}`
          : "in memory"),
      `  secret    CLERK_WEBHOOK_SECRET=${config.webhookSecret}${secretNote}`,
      `  secret    STRIPE_WEBHOOK_SECRET=${config.stripeWebhookSecret}${stripeNote}`,
      "try: npm run send -- clerk " +
        "../shared/fixtures/clerk/user-created.docs.json",
      "Ctrl-C stops everything.",
    ].join("\n"),
  );
  let stopping = false;
  const shutdown = async () => {
    // A second Ctrl-C stops at once; Java is killed on exit regardless.
    if (stopping) process.exit(130);
    stopping = true;
    await stack.stop();
    console.log("offline stack stopped");
    process.exit(0);
  };
  // Started as one node process (not through tsx's wrapper), so these
  // signals reach this handler and Java and Next are always stopped.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, shutdown);
  }
}

main().catch((error) => {
  const known = [JavaMissingError, PortInUseError, ConfigError, StateFileError];
  if (known.some((kind) => error instanceof kind)) {
    console.error(error.message);
  } else if (error instanceof TypeError && "code" in error) {
    console.error(`${error.message}\n${usage}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
