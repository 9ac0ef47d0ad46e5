import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { verifyDelivery } from "@app/core/clerk";
import { ConfigError, InvalidInputError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { countWebhookAnswer, Recorder, Service } from "@app/core/metrics";
import * as Queue from "@app/core/queue";
import { loadOnce, webhookConfig, type WebhookConfig } from "./config";

const logger = createLogger("clerk-webhook");
const metrics = new Recorder(Service.clerkWebhook);

type Answer = {
  status: number;
  reason: string;
  eventId?: string;
  type?: string;
  detail?: string;
  fields?: string[];
};

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
    return respond(answer);
  };
}

async function receive(
  event: APIGatewayProxyEventV2,
  setup: WebhookConfig | ConfigError,
): Promise<Answer> {
  if (setup instanceof ConfigError) {
    return { status: 500, reason: "misconfigured", detail: setup.message };
  }
  const body = Buffer.from(
    event.body ?? "",
    event.isBase64Encoded ? "base64" : "utf8",
  );
  const verdict = verifyDelivery(setup.verifier, {
    headers: event.headers ?? {},
    body,
  });
  if (verdict.kind === "rejected") return verdict;
  if (verdict.kind === "ignored") {
    return { ...verdict, status: 200, reason: "type-not-handled" };
  }
  const { eventId, event: clerkEvent } = verdict;
  try {
    await Queue.send(setup.queueUrl, {
      version: 1,
      source: "clerk",
      eventId,
      type: clerkEvent.type,
      receivedAt: new Date().toISOString(),
      payload: clerkEvent,
    });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return { status: 413, reason: "event-too-large", eventId };
    }
    const detail = error instanceof Error ? error.message : "unknown";
    return { status: 500, reason: "enqueue-failed", eventId, detail };
  }
  return { status: 200, reason: "enqueued", eventId, type: clerkEvent.type };
}

function respond(answer: Answer): APIGatewayProxyStructuredResultV2 {
  const { status, reason, eventId, type, detail, fields } = answer;
  const line = { status, reason, svixId: eventId, type, detail, fields };
  if (status >= 500) logger.error("webhook answered", line);
  else if (status >= 400) logger.warn("webhook answered", line);
  else logger.info("webhook answered", line);
  const body =
    status < 300 ? { received: true, reason } : { error: reason, fields };
  return {
    statusCode: status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

export const handler = createHandler(() => webhookConfig());
