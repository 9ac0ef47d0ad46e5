import { randomBytes } from "node:crypto";
import { newId } from "@app/local/clerk-offline";
import { newDeliveryId, svixHeaders } from "@app/local/deliver";
import { userCreatedEvent } from "@app/local/users";

/** One signed `user.created` delivery, ready to post. */
export type Delivery = {
  userId: string;
  svixId: string;
  body: string;
  headers: Record<string, string>;
};

export function newEmail(): string {
  return `bench-${randomBytes(6).toString("hex")}@example.test`;
}

/**
 * A new user's `user.created` event in Clerk's shape, signed as Svix
 * signs it. Signed when made: Svix timestamps stay valid five minutes.
 */
export function signUpDelivery(secret: string): Delivery {
  const user = {
    userId: newId("user"),
    email: newEmail(),
    firstName: "Bench",
    createdAt: Date.now(),
  };
  const body = JSON.stringify(userCreatedEvent(user));
  const svixId = newDeliveryId();
  return {
    userId: user.userId,
    svixId,
    body,
    headers: {
      "content-type": "application/json",
      ...svixHeaders(secret, svixId, body),
    },
  };
}

export async function post(url: string, delivery: Delivery): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
  });
  await response.arrayBuffer();
  return response.status;
}
