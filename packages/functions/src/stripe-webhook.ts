import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { Service } from "@app/core/metrics";
import { verifyStripeDelivery } from "@app/core/stripe";
import {
  stripeWebhookConfig,
  type StripeWebhookConfig,
} from "./stripe-webhook-config";
import { enqueue, rawBody, webhookHandler, type Answer } from "./webhook";

/**
 * Verifies a Stripe delivery and enqueues the ids of a tracked event.
 * Answers like the Clerk webhook: 2xx only once a tracked event is
 * durably queued (or for a type the product does not track), 4xx for a
 * delivery at fault, 5xx whenever Stripe should retry.
 */
export function createHandler(load: () => StripeWebhookConfig) {
  return webhookHandler({
    service: Service.stripeWebhook,
    idName: "stripeEventId",
    load,
    receive,
  });
}

async function receive(
  event: APIGatewayProxyEventV2,
  setup: StripeWebhookConfig,
): Promise<Answer> {
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
