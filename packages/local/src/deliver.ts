import { randomBytes } from "node:crypto";
import { Webhook } from "svix";

export function newDeliveryId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}

/**
 * The three headers Svix sends with a delivery: the signature covers
 * `id.timestamp.body` over the very bytes sent.
 */
export function svixHeaders(
  secret: string,
  id: string,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  return {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new Webhook(secret).sign(id, at, body),
  };
}

/** Posts one delivery signed exactly as Svix signs Clerk's webhooks. */
export async function deliver(options: {
  url: string;
  secret: string;
  body: string;
  id?: string;
}): Promise<{ id: string; status: number; text: string }> {
  const id = options.id ?? newDeliveryId();
  const response = await fetch(options.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...svixHeaders(options.secret, id, options.body),
    },
    body: options.body,
  });
  return { id, status: response.status, text: await response.text() };
}
