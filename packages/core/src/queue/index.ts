import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";
import {
  errorCode,
  InvalidInputError,
  UnavailableError,
} from "../errors";
import { maxMessageBytes } from "../settings";

/**
 * The one message shape on the provision queue. Producer and consumer
 * both parse it; `version` lets a later shape live beside this one while
 * old messages drain or sit in the DLQ.
 */
export const Envelope = z.object({
  version: z.literal(1),
  source: z.enum(["clerk", "stripe"]),
  /**
   * The sender's id for the event, the same on every retry: `svix-id`
   * for Clerk, the event id (`evt_...`) for Stripe.
   */
  eventId: z.string().min(1).max(256),
  type: z.string().min(1).max(128),
  receivedAt: z.iso.datetime(),
  payload: z.unknown(),
});

export type Envelope = z.infer<typeof Envelope>;

/** Parses a message body; a body that can never parse is permanent. */
export function parseBody(body: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidInputError("message body is not JSON");
  }
  const result = Envelope.safeParse(json);
  if (!result.success) {
    throw new InvalidInputError("message does not match the envelope", {
      fields: result.error.issues.map((issue) => issue.path.join(".")),
    });
  }
  return result.data;
}

let client: SQSClient | undefined;

function sqs(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

/**
 * Sends one envelope. The ids also travel as message attributes so an
 * operator can list a DLQ without reading bodies that hold personal data.
 */
export async function send(queueUrl: string, envelope: Envelope) {
  const parsed = Envelope.safeParse(envelope);
  if (!parsed.success) {
    throw new InvalidInputError("message does not match the envelope");
  }
  const message = parsed.data;
  const body = JSON.stringify(message);
  if (Buffer.byteLength(body) > maxMessageBytes) {
    throw new InvalidInputError("message too large for the queue", {
      eventId: message.eventId,
    });
  }
  try {
    const result = await sqs().send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: {
          source: { DataType: "String", StringValue: message.source },
          eventId: { DataType: "String", StringValue: message.eventId },
          type: { DataType: "String", StringValue: message.type },
        },
      }),
    );
    return { messageId: result.MessageId };
  } catch (error) {
    const code = errorCode(error);
    throw new UnavailableError(
      `enqueue failed: ${code}`,
      { eventId: message.eventId, code },
      { cause: error },
    );
  }
}
