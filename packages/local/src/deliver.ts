import { randomBytes } from "node:crypto";
import { Webhook } from "svix";

export function newDeliveryId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}

/**
 * Posts one delivery signed exactly as Svix signs Clerk's webhooks: the
 * signature covers `id.timestamp.body` over the very bytes sent.
 */
export async function deliver(options: {
  url: string;
  secret: string;
  body: string;
  id?: string;
}): Promise<{ id: string; status: number; text: string }> {
  const id = options.id ?? newDeliveryId();
  const now = new Date();
  const response = await fetch(options.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
      "svix-signature": new Webhook(options.secret).sign(
        id,
        now,
        options.body,
      ),
    },
    body: options.body,
  });
  return { id, status: response.status, text: await response.text() };
}
