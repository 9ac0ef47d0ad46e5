import type { Message } from "@aws-sdk/client-sqs";
import { ClerkEvent } from "@app/core/clerk";
import { InvalidInputError } from "@app/core/errors";
import * as Queue from "@app/core/queue";
import { StripeRef } from "@app/core/stripe";

/**
 * What an operator may see of a dead letter: ids, counts, times and a
 * diagnosis. Never the body, which holds emails and names.
 */
export type DeadLetter = {
  messageId: string;
  eventId?: string;
  type?: string;
  source?: string;
  userId?: string;
  /** Stripe events: the customer the event is about. */
  stripeCustomerId?: string;
  /** As SQS counts it; every peek at the DLQ counts as a receive. */
  receiveCount: number;
  /** When the message was first enqueued (SQS keeps it across moves). */
  sentAt?: string;
  ageSeconds?: number;
  /**
   * `permanent`: the message itself is wrong and a redrive sends it back
   * to the DLQ. `retryable`: it is valid, so it failed while being
   * applied (storage, configuration) and succeeds once that is fixed.
   */
  failure: "permanent" | "retryable";
  reason: string;
};

const safeId = /^[A-Za-z0-9_.:-]{1,256}$/;

export function describeDeadLetter(
  message: Message,
  now = Date.now(),
): DeadLetter {
  const attributes = message.MessageAttributes ?? {};
  const attribute = (name: string) => {
    const value = attributes[name]?.StringValue;
    return value && safeId.test(value) ? value : undefined;
  };
  const diagnosis = diagnose(message.Body ?? "");
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId ?? "",
    eventId: attribute("eventId") ?? diagnosis.ids.eventId,
    type: attribute("type") ?? diagnosis.ids.type,
    source: attribute("source") ?? diagnosis.ids.source,
    userId: diagnosis.userId,
    stripeCustomerId: diagnosis.stripeCustomerId,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: sent ? new Date(sent).toISOString() : undefined,
    ageSeconds: sent ? Math.max(0, Math.round((now - sent) / 1000)) : undefined,
    failure: diagnosis.failure,
    reason: diagnosis.reason,
  };
}

type Diagnosis = {
  failure: DeadLetter["failure"];
  reason: string;
  userId?: string;
  stripeCustomerId?: string;
  ids: { eventId?: string; type?: string; source?: string };
};

/**
 * Runs the consumer's own checks on the body: what fails them fails
 * the same way on every receive; what passes failed for another reason.
 */
function diagnose(body: string): Diagnosis {
  const ids = envelopeIds(body);
  let envelope: Queue.Envelope;
  try {
    envelope = Queue.parseBody(body);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { failure: "permanent", reason: withFields(error), ids };
  }
  const retryable = "valid; failed while applied (see the consumer's logs)";
  if (envelope.source === "stripe") {
    // Often a customer not linked to a user yet, or a record not there
    // yet: both succeed on a redrive once the link or record exists.
    const ref = StripeRef.safeParse(envelope.payload);
    if (!ref.success) return schemaMismatch(ref.error, ids);
    return {
      failure: "retryable",
      reason: retryable,
      userId: ref.data.userId,
      stripeCustomerId: ref.data.stripeCustomerId,
      ids,
    };
  }
  const event = ClerkEvent.safeParse(envelope.payload);
  if (!event.success) return schemaMismatch(event.error, ids);
  return {
    failure: "retryable",
    reason: retryable,
    userId: event.data.data.id,
    ids,
  };
}

function schemaMismatch(
  error: { issues: Array<{ path: PropertyKey[] }> },
  ids: Diagnosis["ids"],
): Diagnosis {
  const fields = error.issues.map((issue) => issue.path.join("."));
  return {
    failure: "permanent",
    reason: `payload does not match its event schema: ${fields.join(", ")}`,
    ids,
  };
}

/**
 * The envelope's ids, for a message sent without attributes. Only these
 * three fields are read, and only when they look like ids.
 */
function envelopeIds(body: string): Diagnosis["ids"] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  const pick = (name: string) => {
    const value = (json as Record<string, unknown> | null)?.[name];
    return typeof value === "string" && safeId.test(value)
      ? value
      : undefined;
  };
  return {
    eventId: pick("eventId"),
    type: pick("type"),
    source: pick("source"),
  };
}

function withFields(error: InvalidInputError): string {
  const fields = error.data.fields as string[] | undefined;
  return fields?.length
    ? `${error.message}: ${fields.join(", ")}`
    : error.message;
}
