import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type Stripe from "stripe";
import { customersTable } from "../config";
import { fromItem, type Customer, type Membership } from "../customer";
import { documentClient, isConditionFailure, storageError } from "../dynamo";
import { InvalidInputError, NotFoundError, UnavailableError } from "../errors";
import { membershipFor } from "./membership";

/** The subscription state the record keeps, as read from Stripe. */
export type SubscriptionState = {
  subscriptionId: string;
  status: string;
  /** Undefined for a status this code does not know. */
  membership: Membership | undefined;
  currentPeriodEnd?: string;
  cancelAtPeriodEnd: boolean;
};

export type SyncOutcome = "synced" | "unchanged" | "stale" | "tombstoned";

export type SyncResult = {
  outcome: SyncOutcome;
  state: SubscriptionState | undefined;
  /** Set when Stripe reported a status this code does not know. */
  unknownStatus?: string;
  customer?: Customer;
};

/** Reads of Stripe one sync makes before it gives up for a retry. */
const maxReads = 3;

/**
 * Reads the Stripe customer's subscriptions now and writes what they mean
 * to the record. The write is guarded by the read's time, so a sync that
 * read older state can never overwrite one that read newer state; which
 * event triggered the sync, and in what order events came, does not matter.
 *
 * Given the record as just read, a sync that finds the same state writes
 * nothing: a replayed event costs one Stripe read and no write. A skip
 * leaves no newer read time behind, so a sync that read older state and
 * was slow to write (a stalled Lambda) may still land after it. Every
 * sync that writes therefore reads Stripe again and writes again while
 * the state has moved on: the last write to land is always checked.
 */
export async function syncMembership(
  stripe: Stripe,
  userId: string,
  stripeCustomerId: string,
  stored?: Customer,
): Promise<SyncResult> {
  let known = stored;
  let written: SyncResult | undefined;
  for (let read = 0; read < maxReads; read++) {
    // Stamped before the read: whatever this read returns is at least as
    // new as the stamp, which is what makes the guard sound.
    const readAt = Date.now();
    const subscriptions = await listSubscriptions(stripe, stripeCustomerId);
    const state = currentState(subscriptions);
    const unknownStatus =
      state && !state.membership ? state.status : undefined;
    const same =
      known?.stripeCustomerId === stripeCustomerId && sameState(known, state);
    if (same) {
      return (
        written ?? { outcome: "unchanged", state, unknownStatus, customer: known }
      );
    }
    const result = await write(userId, stripeCustomerId, readAt, state);
    written = { ...result, state, unknownStatus };
    if (result.outcome !== "synced") return written;
    known = result.customer;
  }
  throw new UnavailableError("Stripe kept changing during the sync", {
    userId,
    stripeCustomerId,
  });
}

function sameState(stored: Customer, state: SubscriptionState | undefined) {
  if (!state) {
    return stored.stripeSubscriptionId === undefined && stored.membership === "free";
  }
  return (
    stored.stripeSubscriptionId === state.subscriptionId &&
    stored.subscriptionStatus === state.status &&
    stored.currentPeriodEnd === state.currentPeriodEnd &&
    (stored.cancelAtPeriodEnd ?? false) === state.cancelAtPeriodEnd &&
    (state.membership === undefined || stored.membership === state.membership)
  );
}

/**
 * The subscription that decides membership: one that grants `pro` if
 * any does, otherwise the newest.
 */
export function currentState(
  subscriptions: Stripe.Subscription[],
): SubscriptionState | undefined {
  const ranked = [...subscriptions].sort(
    (a, b) =>
      Number(grantsPro(b)) - Number(grantsPro(a)) || b.created - a.created,
  );
  const subscription = ranked[0];
  if (!subscription) return undefined;
  const periodEnd = periodEndOf(subscription);
  return {
    subscriptionId: subscription.id,
    status: subscription.status,
    membership: membershipFor(subscription.status),
    currentPeriodEnd:
      periodEnd === undefined ? undefined : new Date(periodEnd * 1000).toISOString(),
    cancelAtPeriodEnd:
      subscription.cancel_at_period_end ||
      (subscription.cancel_at != null && subscription.status !== "canceled"),
  };
}

function grantsPro(subscription: Stripe.Subscription): boolean {
  return membershipFor(subscription.status) === "pro";
}

/**
 * The period end: on the subscription before API version 2025-03-31, on
 * each item since. The latest item end is when the whole subscription
 * renews or ends.
 */
function periodEndOf(subscription: Stripe.Subscription): number | undefined {
  const legacy = (subscription as { current_period_end?: number })
    .current_period_end;
  if (typeof legacy === "number") return legacy;
  const ends = (subscription.items?.data ?? [])
    .map((item) => (item as { current_period_end?: number }).current_period_end)
    .filter((end): end is number => typeof end === "number");
  return ends.length ? Math.max(...ends) : undefined;
}

async function listSubscriptions(
  stripe: Stripe,
  customer: string,
): Promise<Stripe.Subscription[]> {
  try {
    const found: Stripe.Subscription[] = [];
    for await (const subscription of stripe.subscriptions.list({
      customer,
      status: "all",
      limit: 100,
    })) {
      found.push(subscription);
    }
    return found;
  } catch (error) {
    throw new UnavailableError(
      `Stripe unavailable while listing subscriptions: ${stripeErrorCode(error)}`,
      { stripeCustomerId: customer },
      { cause: error },
    );
  }
}

async function write(
  userId: string,
  stripeCustomerId: string,
  readAt: number,
  state: SubscriptionState | undefined,
): Promise<{ outcome: SyncOutcome; customer?: Customer }> {
  const set: Record<string, unknown> = {
    stripeSyncedAt: readAt,
    updatedAt: new Date().toISOString(),
  };
  const remove: string[] = [];
  if (state) {
    set.stripeSubscriptionId = state.subscriptionId;
    set.subscriptionStatus = state.status;
    set.cancelAtPeriodEnd = state.cancelAtPeriodEnd;
    if (state.membership) set.membership = state.membership;
    if (state.currentPeriodEnd) set.currentPeriodEnd = state.currentPeriodEnd;
    else remove.push("currentPeriodEnd");
  } else {
    set.membership = "free";
    remove.push(
      "stripeSubscriptionId",
      "subscriptionStatus",
      "currentPeriodEnd",
      "cancelAtPeriodEnd",
    );
  }
  const names = Object.keys(set);
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: customersTable(),
        Key: { userId },
        UpdateExpression:
          `SET ${names.map((name) => `${name} = :${name}`).join(", ")}` +
          (remove.length ? ` REMOVE ${remove.join(", ")}` : ""),
        ConditionExpression:
          "attribute_exists(userId) AND #status = :active AND " +
          "stripeCustomerId = :cus AND " +
          "(attribute_not_exists(stripeSyncedAt) OR stripeSyncedAt < :stripeSyncedAt)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, set[name]])),
          ":active": "active",
          ":cus": stripeCustomerId,
        },
        ReturnValues: "ALL_NEW",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return { outcome: "synced", customer: fromItem(result.Attributes ?? {}) };
  } catch (error) {
    if (!isConditionFailure(error)) {
      throw storageError(error, "syncMembership", { userId, stripeCustomerId });
    }
    const current = error.Item
      ? fromItem(unmarshall(error.Item))
      : undefined;
    if (!current) {
      throw new NotFoundError("no customer record to sync yet", {
        userId,
        stripeCustomerId,
      });
    }
    if (current.status === "deleted") return { outcome: "tombstoned" };
    if (current.stripeCustomerId === undefined) {
      throw new UnavailableError("record is not linked to Stripe yet", {
        userId,
        stripeCustomerId,
      });
    }
    if (current.stripeCustomerId !== stripeCustomerId) {
      throw new InvalidInputError("record is linked to another Stripe customer", {
        userId,
        stripeCustomerId,
        storedStripeCustomerId: current.stripeCustomerId,
      });
    }
    return { outcome: "stale", customer: current };
  }
}

/** Stripe's error type or code, or the network error's code. */
export function stripeErrorCode(error: unknown): string {
  const e = error as { type?: string; code?: string; name?: string };
  return e?.code ?? e?.type ?? e?.name ?? "Unknown";
}
