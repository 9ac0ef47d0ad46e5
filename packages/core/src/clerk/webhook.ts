import { Webhook, WebhookVerificationError } from "svix";
import { ConfigError } from "../errors";
import { maxWebhookBodyBytes } from "../settings";
import { ClerkEvent, supportedTypes } from "./events";

/** Svix's replay window: a delivery signed further away is refused. */
export const toleranceSeconds = 5 * 60;

/**
 * Builds the verifier once, when the function starts. Clerk shows the
 * secret as `whsec_` and base64; Svix generates 24 to 64 random bytes.
 */
export function createVerifier(
  secret: string | undefined,
  variable = "CLERK_WEBHOOK_SECRET",
): Webhook {
  if (!secret) throw new ConfigError(`${variable} is not set`, [variable]);
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const bytes = match ? Buffer.from(match[1]!, "base64").length : 0;
  if (bytes < 24 || bytes > 64) {
    throw new ConfigError(
      `${variable} is malformed: expected whsec_ followed by base64 ` +
        "of 24 to 64 bytes",
      [variable],
    );
  }
  return new Webhook(secret);
}

export type Delivery = {
  headers: Record<string, string | undefined>;
  body: Buffer;
};

export type Verdict =
  | { kind: "accepted"; eventId: string; event: ClerkEvent }
  | { kind: "ignored"; eventId: string; type: string }
  | {
      kind: "rejected";
      status: 400 | 401 | 413;
      reason: string;
      /** Only a well-formed id: an unverified header may hold anything. */
      eventId?: string;
      fields?: string[];
    };

/** Svix's ids look like `msg_2KWPBgLlAfxdpx2AI54pPJ85f4W`. */
const deliveryIdPattern = /^[A-Za-z0-9_-]{1,128}$/;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Verifies a delivery over its exact bytes and validates the event. The
 * checks run cheapest first; the signature is checked before the body is
 * trusted for anything.
 */
export function verifyDelivery(
  verifier: Webhook,
  delivery: Delivery,
  now = Date.now(),
): Verdict {
  const headers = lowercaseKeys(delivery.headers);
  const rawId = headers["svix-id"] ?? headers["webhook-id"];
  const eventId = rawId && deliveryIdPattern.test(rawId) ? rawId : undefined;
  const timestamp = headers["svix-timestamp"] ?? headers["webhook-timestamp"];
  const signature = headers["svix-signature"] ?? headers["webhook-signature"];
  const reject = (
    status: 400 | 401 | 413,
    reason: string,
    fields?: string[],
  ): Verdict => ({ kind: "rejected", status, reason, eventId, fields });

  if (delivery.body.length > maxWebhookBodyBytes) {
    return reject(413, "body-too-large");
  }
  if (!rawId || !timestamp || !signature) {
    return reject(400, "missing-svix-headers");
  }
  if (!eventId) return reject(400, "malformed-svix-id");
  if (!/^\d{1,12}$/.test(timestamp)) {
    return reject(400, "malformed-timestamp");
  }
  const skew = Math.abs(Math.floor(now / 1000) - Number(timestamp));
  if (skew > toleranceSeconds) return reject(401, "timestamp-outside-window");

  let text: string;
  try {
    text = strictUtf8.decode(delivery.body);
  } catch {
    return reject(400, "body-not-utf8");
  }
  let parsed: unknown;
  try {
    parsed = verifier.verify(text, {
      "svix-id": eventId,
      "svix-timestamp": timestamp,
      "svix-signature": signature,
    });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      return reject(401, "bad-signature");
    }
    if (error instanceof SyntaxError) return reject(400, "body-not-json");
    throw error;
  }

  const type = typeOf(parsed);
  if (type === undefined) return reject(400, "missing-event-type");
  if (!supportedTypes.includes(type)) {
    return { kind: "ignored", eventId, type };
  }
  const event = ClerkEvent.safeParse(parsed);
  if (!event.success) {
    const fields = event.error.issues.map((issue) => issue.path.join("."));
    return reject(400, "invalid-payload", fields);
  }
  return { kind: "accepted", eventId, event: event.data };
}

function typeOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" ? type : undefined;
}

function lowercaseKeys(
  headers: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]),
  );
}
