import Stripe from "stripe";
import { ConfigError } from "../errors";
import { maxWebhookBodyBytes } from "../settings";
import { isTracked, referenceOf, StripeEventId, type StripeRef } from "./events";

/** Stripe's own default: a signature older than five minutes is refused. */
export const toleranceSeconds = 5 * 60;

export type StripeVerifier = { secret: string };

/**
 * Checks the endpoint secret once, when the function starts. Stripe uses
 * the whole string, `whsec_` included, as the HMAC key.
 */
export function createStripeVerifier(
  secret: string | undefined,
  variable = "STRIPE_WEBHOOK_SECRET",
): StripeVerifier {
  if (!secret) throw new ConfigError(`${variable} is not set`, [variable]);
  if (!/^whsec_[A-Za-z0-9_]{8,}$/.test(secret)) {
    throw new ConfigError(
      `${variable} is malformed: expected whsec_ followed by letters and digits`,
      [variable],
    );
  }
  return { secret };
}

export type StripeVerdict =
  | { kind: "accepted"; eventId: string; ref: StripeRef }
  | { kind: "ignored"; eventId: string; type: string; reason: string }
  | {
      kind: "rejected";
      status: 400 | 401 | 413;
      reason: string;
      eventId?: string;
      fields?: string[];
    };

// A byte-order mark is kept, so the signature is checked over the exact
// bytes and such a body is refused as not JSON.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Verifies a delivery over its exact bytes with the `stripe` library, then
 * reduces the event to the ids the consumer needs. The header is checked
 * for shape and age first, so each refusal names its cause.
 */
export function verifyStripeDelivery(
  verifier: StripeVerifier,
  delivery: { headers: Record<string, string | undefined>; body: Buffer },
  now = Date.now(),
): StripeVerdict {
  const reject = (
    status: 400 | 401 | 413,
    reason: string,
    extra: { eventId?: string; fields?: string[] } = {},
  ): StripeVerdict => ({ kind: "rejected", status, reason, ...extra });

  if (delivery.body.length > maxWebhookBodyBytes) {
    return reject(413, "body-too-large");
  }
  const header = headerValue(delivery.headers, "stripe-signature");
  if (!header) return reject(400, "missing-signature-header");
  const timestamp = signedAt(header);
  if (timestamp === undefined) return reject(400, "malformed-signature-header");
  // The library accepts any future timestamp; a signature from more than
  // the tolerance ahead is as suspect as a stale one.
  if (Math.abs(Math.floor(now / 1000) - timestamp) > toleranceSeconds) {
    return reject(401, "timestamp-outside-window");
  }
  let text: string;
  try {
    text = strictUtf8.decode(delivery.body);
  } catch {
    return reject(400, "body-not-utf8");
  }
  let event: unknown;
  try {
    event = Stripe.webhooks.constructEvent(
      text,
      header,
      verifier.secret,
      toleranceSeconds,
      undefined,
      now,
    );
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      return reject(401, "bad-signature");
    }
    return reject(400, "body-not-json");
  }

  const eventId = shapedEventId(event);
  const type = (event as { type?: unknown } | null)?.type;
  if (typeof type !== "string") {
    return reject(400, "missing-event-type", { eventId });
  }
  if (!eventId) return reject(400, "invalid-payload", { fields: ["id"] });
  if (!isTracked(type)) {
    return { kind: "ignored", eventId, type, reason: "type-not-handled" };
  }
  const reference = referenceOf(event);
  if (reference.kind === "invalid") {
    return reject(400, "invalid-payload", { eventId, fields: reference.fields });
  }
  if (reference.kind === "ignored") {
    return { kind: "ignored", eventId, type, reason: reference.reason };
  }
  return { kind: "accepted", eventId, ref: reference.ref };
}

/**
 * The one `t=` of a `t=...,v1=...` header that also carries a v1
 * signature. Two timestamps (say, duplicated headers joined by a comma)
 * are refused rather than guessed between, and so is a part that is not
 * `key=value`: the library would fail on a bare `v1` with a TypeError.
 */
function signedAt(header: string): number | undefined {
  if (header.length > 4096) return undefined;
  const pairs = header.split(",").map((part) => part.trim().split("="));
  if (pairs.some((pair) => pair.length < 2)) return undefined;
  const stamps = pairs.filter(([key]) => key === "t");
  const hasV1 = pairs.some(([key, value]) => key === "v1" && value);
  if (stamps.length !== 1 || !hasV1) return undefined;
  const value = stamps[0]![1] ?? "";
  return /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

function shapedEventId(event: unknown): string | undefined {
  const id = (event as { id?: unknown } | null)?.id;
  return StripeEventId.safeParse(id).success ? (id as string) : undefined;
}

function headerValue(
  headers: Record<string, string | undefined>,
  name: string,
): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
