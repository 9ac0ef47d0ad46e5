import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { ConfigError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { countWebhookAnswer, Recorder, Service } from "@app/core/metrics";
import { verifyStripeDelivery } from "@app/core/stripe";
import { loadOnce } from "./config";
import {
  stripeWebhookConfig,
  type StripeWebhookConfig,
} from "./stripe-webhook-config";
import { enqueue, rawBody, respond, type Answer } from "./webhook";

const logger = createLogger("stripe-webhook");
const metrics = new Recorder(Service.stripeWebhook);

/**
 * Verifies a Stripe delivery and enqueues the ids of a tracked event.
 * Answers like the Clerk webhook: 2xx only once a tracked event is
 * durably queued (or for a type the product does not track), 4xx for a
 * delivery at fault, 5xx whenever Stripe should retry.
 */
export function createHandler(load: () => StripeWebhookConfig) {
  const setup = loadOnce(load);
  return async (
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const answer = await receive(event, setup);
    countWebhookAnswer(metrics, answer);
    metrics.flush();
    return respond(logger, answer, "stripeEventId");
  };
}

async function receive(
  event: APIGatewayProxyEventV2,
  setup: StripeWebhookConfig | ConfigError,
): Promise<Answer> {
  if (setup instanceof ConfigError) {
    return { status: 500, reason: "misconfigured", detail: setup.message };
  }
  const verdict = verifyStripeDelivery(setup.verifier, {
    headers: event.headers ?? {},
    body: rawBody(event),
  });
  if (verdict.kind === "rejected") return verdict;
  if (verdict.kind === "ignored") return { ...verdict, status: 200 };
  const { ref } = verdict;
  return enqueue(setup.queueUrl, {
    version: 1,
    source: "stripe",
    eventId: ref.eventId,
    type: ref.type,
    receivedAt: new Date().toISOString(),
    payload: ref,
  });
}

export const handler = createHandler(() => stripeWebhookConfig());
