import type { Logger } from "@aws-lambda-powertools/logger";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { ConfigError, InvalidInputError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { countWebhookAnswer, Recorder, type Service } from "@app/core/metrics";
import * as Queue from "@app/core/queue";
import { loadOnce } from "./config";

/** What a webhook decided about one delivery, before it is answered. */
export type Answer = {
  status: number;
  reason: string;
  eventId?: string;
  type?: string;
  detail?: string;
  fields?: string[];
};

/**
 * The frame both webhooks share: settings read once at start (a bad one
 * answers 500 on every call, so the sender retries until it is fixed),
 * then per delivery one decision, one metric and one log line naming the
 * sender's event id as `idName`.
 */
export function webhookHandler<Setup>(options: {
  service: Service;
  idName: string;
  load: () => Setup;
  receive: (event: APIGatewayProxyEventV2, setup: Setup) => Promise<Answer>;
}) {
  const logger = createLogger(options.service);
  const metrics = new Recorder(options.service);
  const setup = loadOnce(options.load);
  return async (
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const answer =
      setup instanceof ConfigError
        ? { status: 500, reason: "misconfigured", detail: setup.message }
        : await options.receive(event, setup);
    countWebhookAnswer(metrics, answer);
    metrics.flush();
    return respond(logger, answer, options.idName);
  };
}

/**
 * Puts a verified event on the provision queue: 200 once it is durably
 * queued, 413 when it can never fit, 500 (the sender retries) otherwise.
 */
export async function enqueue(
  queueUrl: string,
  envelope: Queue.Envelope,
): Promise<Answer> {
  const { eventId, type } = envelope;
  try {
    await Queue.send(queueUrl, envelope);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return { status: 413, reason: "event-too-large", eventId };
    }
    const detail = error instanceof Error ? error.message : "unknown";
    return { status: 500, reason: "enqueue-failed", eventId, detail };
  }
  return { status: 200, reason: "enqueued", eventId, type };
}

/**
 * One log line per answer, at a level that says who should look, and a
 * small JSON body. `idName` is how the sender calls its event id.
 */
function respond(
  logger: Logger,
  answer: Answer,
  idName: string,
): APIGatewayProxyStructuredResultV2 {
  const { status, reason, eventId, type, detail, fields } = answer;
  const line = { status, reason, [idName]: eventId, type, detail, fields };
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

/** The request's exact bytes, however API Gateway passed them on. */
export function rawBody(event: { body?: string; isBase64Encoded: boolean }) {
  return Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
}
