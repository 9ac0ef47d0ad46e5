import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { verifyDelivery } from "@app/core/clerk";
import { ConfigError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { countWebhookAnswer, Recorder, Service } from "@app/core/metrics";
import { webhookConfig, type WebhookConfig } from "./clerk-webhook-config";
import { loadOnce } from "./config";
import { enqueue, rawBody, respond, type Answer } from "./webhook";

const logger = createLogger("clerk-webhook");
const metrics = new Recorder(Service.clerkWebhook);

/**
 * Verifies a Clerk (Svix) delivery and enqueues it. Answers 2xx only once
 * a supported event is durably queued, and 5xx whenever it could not be,
 * so that Svix retries.
 */
export function createHandler(load: () => WebhookConfig) {
  const setup = loadOnce(load);
  return async (
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const answer = await receive(event, setup);
    countWebhookAnswer(metrics, answer);
    metrics.flush();
    return respond(logger, answer, "svixId");
  };
}

async function receive(
  event: APIGatewayProxyEventV2,
  setup: WebhookConfig | ConfigError,
): Promise<Answer> {
  if (setup instanceof ConfigError) {
    return { status: 500, reason: "misconfigured", detail: setup.message };
  }
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
