import type Stripe from "stripe";
import * as Customer from "../customer";
import { InvalidInputError, NotFoundError, UnavailableError } from "../errors";
import type { StripeRef } from "./events";
import { claim, ownerOf } from "./link";
import { syncMembership, type SyncResult } from "./sync";

export type StripeApplyOutcome = SyncResult["outcome"];

/**
 * Applies one queued Stripe event: find whose customer it is, link the
 * Stripe customer if the event is the first to name the pair (a Payment
 * Link, say), then sync. An event nobody can be found for yet is retried,
 * never dropped: the link may be a moment behind.
 */
export async function applyStripeEvent(
  stripe: Stripe,
  ref: StripeRef,
): Promise<{ userId: string; result: SyncResult }> {
  const { stripeCustomerId, eventId } = ref;
  const userId = ref.userId ?? (await ownerOf(stripeCustomerId));
  if (!userId) {
    throw new UnavailableError("Stripe customer is not linked to a user yet", {
      eventId,
      stripeCustomerId,
    });
  }
  const customer = await Customer.find(userId);
  if (!customer) {
    throw new NotFoundError("no customer record for the Stripe event yet", {
      eventId,
      userId,
      stripeCustomerId,
    });
  }
  if (customer.status === "deleted") {
    return { userId, result: { outcome: "tombstoned", state: undefined } };
  }
  if (!customer.stripeCustomerId) {
    const outcome = await claim(userId, stripeCustomerId);
    if (outcome === "tombstoned") {
      return { userId, result: { outcome, state: undefined } };
    }
    return { userId, result: await syncMembership(stripe, userId, stripeCustomerId) };
  }
  if (customer.stripeCustomerId !== stripeCustomerId) {
    throw new InvalidInputError("event names another Stripe customer", {
      eventId,
      userId,
      stripeCustomerId,
      storedStripeCustomerId: customer.stripeCustomerId,
    });
  }
  const result = await syncMembership(stripe, userId, stripeCustomerId, customer);
  return { userId, result };
}
