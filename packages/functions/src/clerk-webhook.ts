import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { verifyDelivery } from "@app/core/clerk";
import { Service } from "@app/core/metrics";
import { webhookConfig, type WebhookConfig } from "./clerk-webhook-config";
import { enqueue, rawBody, webhookHandler, type Answer } from "./webhook";

/**
 * Verifies a Clerk (Svix) delivery and enqueues it. Answers 2xx only once
 * a supported event is durably queued, and 5xx whenever it could not be,
 * so that Svix retries.
 */
export function createHandler(load: () => WebhookConfig) {
  return webhookHandler({
    service: Service.clerkWebhook,
    idName: "svixId",
    load,
    receive,
  });
}

async function receive(
  event: APIGatewayProxyEventV2,
  setup: WebhookConfig,
): Promise<Answer> {
  const verdict = verifyDelivery(setup.verifier, {
    headers: event.headers ?? {},
    body: rawBody(event),
  });
  if (verdict.kind === "rejected") return verdict;
  if (verdict.kind === "ignored") {
    return { ...verdict, status: 200, reason: "type-not-handled" };
  }
  const { eventId, event: clerkEvent } = verdict;
  return enqueue(setup.queueUrl, {
    version: 1,
    source: "clerk",
    eventId,
    type: clerkEvent.type,
    receivedAt: new Date().toISOString(),
    payload: clerkEvent,
  });
}

export const handler = createHandler(() => webhookConfig());
