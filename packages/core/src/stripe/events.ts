import { z } from "zod";
import { UserId } from "../customer";

/** The Stripe event types that can change a membership. */
export const trackedTypes = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.paused",
  "customer.subscription.resumed",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

export type TrackedType = (typeof trackedTypes)[number];

export function isTracked(type: string): type is TrackedType {
  return (trackedTypes as readonly string[]).includes(type);
}

const stripeId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9]{1,255}$`), {
    message: `not a Stripe id (${prefix}_...)`,
  });

export const StripeEventId = stripeId("evt");
export const StripeCustomerId = stripeId("cus");
export const SubscriptionId = stripeId("sub");

/**
 * What the queue carries for a Stripe event: ids only. The consumer reads
 * the subscription itself from Stripe, so nothing else in the event (and
 * none of the buyer's details) needs to travel or be trusted.
 */
export const StripeRef = z.object({
  eventId: StripeEventId,
  type: z.enum(trackedTypes),
  /** The event's `created`, epoch seconds. */
  created: z.number().int().nonnegative(),
  stripeCustomerId: StripeCustomerId,
  subscriptionId: SubscriptionId.optional(),
  /** From metadata or `client_reference_id`, when the sender set one. */
  userId: UserId.optional(),
});

export type StripeRef = z.infer<typeof StripeRef>;

/** An expandable field: the id, or the object when it was expanded. */
const Ref = z
  .union([z.string(), z.object({ id: z.string() })])
  .transform((value) => (typeof value === "string" ? value : value.id));

const Metadata = z.record(z.string(), z.string()).nullish();

const CheckoutSession = z.object({
  object: z.literal("checkout.session"),
  mode: z.string(),
  customer: Ref.nullish(),
  subscription: Ref.nullish(),
  client_reference_id: z.string().nullish(),
  metadata: Metadata,
});

const Subscription = z.object({
  object: z.literal("subscription"),
  id: z.string(),
  customer: Ref,
  metadata: Metadata,
});

/** Before 2025 the subscription sat on the invoice; now under `parent`. */
const Invoice = z.object({
  object: z.literal("invoice"),
  customer: Ref,
  subscription: Ref.nullish(),
  subscription_details: z.object({ metadata: Metadata }).nullish(),
  parent: z
    .object({
      subscription_details: z
        .object({ subscription: Ref.nullish(), metadata: Metadata })
        .nullish(),
    })
    .nullish(),
});

const Event = z.object({
  id: z.string(),
  type: z.enum(trackedTypes),
  created: z.number(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

export type Reference =
  | { kind: "tracked"; ref: StripeRef }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; fields: string[] };

/**
 * Reduces a verified, tracked event to the ids the consumer needs. A
 * one-off payment or invoice has no subscription and is ignored.
 */
export function referenceOf(event: unknown): Reference {
  const parsed = Event.safeParse(event);
  if (!parsed.success) return invalid(parsed.error);
  const { id, type, created, data } = parsed.data;
  const ids = idsOf(type, data.object);
  if ("error" in ids) return invalid(ids.error);
  if (!ids.subscriptionId && !type.startsWith("customer.subscription.")) {
    return { kind: "ignored", reason: "no-subscription" };
  }
  const ref = StripeRef.safeParse({
    eventId: id,
    type,
    created,
    stripeCustomerId: ids.customer ?? undefined,
    subscriptionId: ids.subscriptionId ?? undefined,
    userId: firstUserId(ids.userIds),
  });
  return ref.success ? { kind: "tracked", ref: ref.data } : invalid(ref.error);
}

type Ids =
  | {
      customer?: string | null;
      subscriptionId?: string | null;
      userIds: Array<string | null | undefined>;
    }
  | { error: z.ZodError };

function idsOf(type: TrackedType, object: unknown): Ids {
  if (type === "checkout.session.completed") {
    const session = CheckoutSession.safeParse(object);
    if (!session.success) return { error: nested(session.error) };
    const s = session.data;
    if (s.mode !== "subscription") return { userIds: [] };
    return {
      customer: s.customer,
      subscriptionId: s.subscription,
      userIds: [s.metadata?.userId, s.client_reference_id],
    };
  }
  if (type.startsWith("invoice.")) {
    const invoice = Invoice.safeParse(object);
    if (!invoice.success) return { error: nested(invoice.error) };
    const i = invoice.data;
    const details = i.parent?.subscription_details;
    return {
      customer: i.customer,
      subscriptionId: i.subscription ?? details?.subscription,
      userIds: [
        details?.metadata?.userId,
        i.subscription_details?.metadata?.userId,
      ],
    };
  }
  const subscription = Subscription.safeParse(object);
  if (!subscription.success) return { error: nested(subscription.error) };
  const s = subscription.data;
  return {
    customer: s.customer,
    subscriptionId: s.id,
    userIds: [s.metadata?.userId],
  };
}

/**
 * A hint that is not a Clerk user id (a Payment Link may carry any
 * reference) is no hint: the mapping item decides instead.
 */
function firstUserId(candidates: Array<string | null | undefined>) {
  return candidates.find((value) => UserId.safeParse(value).success) ?? undefined;
}

function nested(error: z.ZodError): z.ZodError {
  return new z.ZodError(
    error.issues.map((issue) => ({
      ...issue,
      path: ["data", "object", ...issue.path],
    })),
  );
}

function invalid(error: z.ZodError): Reference {
  return {
    kind: "invalid",
    fields: error.issues.map((issue) => issue.path.join(".")),
  };
}
