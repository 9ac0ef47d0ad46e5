import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import type {
  CheckoutSessionRecord,
  CustomerRecord,
  InvoiceRecord,
  PortalSessionRecord,
  SubscriptionRecord,
} from "./state";

/**
 * Stripe's JSON, as its own example objects in `objects/` have it. Every
 * object starts as a fresh copy of one of them, so fields this file never
 * mentions still have Stripe's shape; it is typed as the SDK's types only
 * where it leaves the stand-in.
 */
export type Json = Record<string, any>;

/** Where `current_period_start` / `_end` live: items since API 2025-03-31. */
export type SubscriptionShape = "item-period" | "subscription-period";

const templateNames = [
  "checkout.session",
  "customer",
  "deleted_customer",
  "event",
  "invoice",
  "price",
  "subscription",
  "subscription_item",
] as const;

const templates = new Map(
  templateNames.map((name) => [
    name,
    readFileSync(new URL(`./objects/${name}.json`, import.meta.url), "utf8"),
  ]),
);

function template(name: (typeof templateNames)[number]): Json {
  return JSON.parse(templates.get(name)!);
}

const alphabet =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** An id in Stripe's form: a type prefix and random alphanumerics. */
export function newId(prefix: string, length = 24): string {
  const letters = Array.from(randomBytes(length), (b) => alphabet[b % 62]);
  return `${prefix}${letters.join("")}`;
}

/** One calendar month later, on the same day or the month's last day. */
export function addMonth(epochSeconds: number): number {
  const date = new Date(epochSeconds * 1000);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const lastDay = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0),
  ).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return Math.floor(date.getTime() / 1000);
}

/** The fields of `after` that differ, with their values in `before`. */
export function previousAttributes(before: Json, after: Json): Json {
  const changed: Json = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changed[key] = before[key];
    }
  }
  return changed;
}

function omit(object: Json, ...keys: string[]): Json {
  const copy = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

export function list(data: Json[], url: string, hasMore = false): Json {
  return { object: "list", data, has_more: hasMore, url };
}

export function priceObject(created: number): Json {
  return {
    ...template("price"),
    id: newId("price_"),
    created,
    product: newId("prod_", 14),
    nickname: "Pro",
    lookup_key: "pro",
    custom_unit_amount: null,
    transform_quantity: null,
    unit_amount: 2000,
    unit_amount_decimal: "2000",
  };
}

function planOf(price: Json): Json {
  const plan = template("subscription_item").plan;
  return {
    ...plan,
    id: price.id,
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring.interval,
    interval_count: price.recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    nickname: price.nickname,
    product: price.product,
    transform_usage: null,
  };
}

export function customerObject(customer: CustomerRecord): Json {
  return {
    ...template("customer"),
    address: null,
    created: customer.created,
    currency: null,
    discount: null,
    email: customer.email,
    id: customer.id,
    invoice_prefix: customer.invoicePrefix,
    metadata: { ...customer.metadata },
    name: customer.name,
    shipping: null,
  };
}

export function deletedCustomerObject(id: string): Json {
  return { ...template("deleted_customer"), id };
}

export function subscriptionObject(
  subscription: SubscriptionRecord,
  price: (id: string) => Json,
  shape: SubscriptionShape,
): Json {
  const period = {
    current_period_start: subscription.periodStart,
    current_period_end: subscription.periodEnd,
  };
  const items = subscription.items.map((item) => {
    const base = template("subscription_item");
    return {
      ...omit(base, "current_period_start", "current_period_end"),
      billing_thresholds: null,
      created: subscription.created,
      id: item.id,
      metadata: {},
      price: price(item.price),
      quantity: item.quantity,
      subscription: subscription.id,
      plan: planOf(price(item.price)),
      ...(shape === "item-period" ? period : {}),
    };
  });
  return {
    ...template("subscription"),
    billing_cycle_anchor: subscription.created,
    billing_cycle_anchor_config: null,
    cancel_at: subscription.cancelAtPeriodEnd ? subscription.periodEnd : null,
    canceled_at: subscription.canceledAt,
    cancellation_details: {
      comment: null,
      feedback: null,
      reason:
        subscription.canceledAt === null ? null : "cancellation_requested",
    },
    created: subscription.created,
    currency: items[0]?.price.currency ?? "usd",
    customer: subscription.customer,
    ended_at: subscription.endedAt,
    id: subscription.id,
    items: list(
      items,
      `/v1/subscription_items?subscription=${subscription.id}`,
    ),
    latest_invoice: subscription.latestInvoice,
    metadata: { ...subscription.metadata },
    next_pending_invoice_item_invoice: null,
    pause_collection: null,
    pending_invoice_item_interval: null,
    pending_update: null,
    start_date: subscription.created,
    status: subscription.status,
    transfer_data: null,
    trial_end: null,
    trial_start: null,
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    billing_thresholds: null,
    billing_schedules: [],
    ...(shape === "subscription-period" ? period : {}),
  };
}

export function invoiceObject(
  invoice: InvoiceRecord,
  price: (id: string) => Json,
  shape: SubscriptionShape,
): Json {
  const base = template("invoice");
  const lines = invoice.lines.map((line) => {
    const { currency, nickname, product, unit_amount, unit_amount_decimal } =
      price(line.price);
    const amount = unit_amount * line.quantity;
    const parent = base.lines.data[0].parent;
    return {
      ...base.lines.data[0],
      amount,
      currency,
      description: `${line.quantity} × ${nickname}`,
      discount_amounts: [],
      discounts: [],
      id: line.id,
      invoice: invoice.id,
      period: { start: invoice.periodStart, end: invoice.periodEnd },
      quantity: line.quantity,
      parent: {
        invoice_item_details: null,
        subscription_item_details: {
          ...parent.subscription_item_details,
          proration: false,
          proration_details: { credited_items: null },
          subscription: invoice.subscription,
          subscription_item: line.subscriptionItem,
        },
        type: "subscription_item_details",
      },
      pricing: {
        price_details: { price: line.price, product },
        type: "price_details",
        unit_amount_decimal,
      },
      subtotal: amount,
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  return {
    ...omit(base, "subscription"),
    amount_due: total,
    amount_paid: total,
    amount_remaining: 0,
    amount_overpaid: 0,
    attempt_count: 1,
    attempted: true,
    billing_reason: invoice.billingReason,
    created: invoice.created,
    customer: invoice.customer,
    customer_address: null,
    customer_email: invoice.customerEmail,
    customer_name: invoice.customerName,
    customer_shipping: null,
    due_date: null,
    effective_at: invoice.created,
    from_invoice: null,
    id: invoice.id,
    last_finalization_error: null,
    lines: list(lines, `/v1/invoices/${invoice.id}/lines`),
    next_payment_attempt: null,
    number: invoice.number,
    period_end: invoice.created,
    period_start: invoice.created,
    shipping_cost: null,
    shipping_details: null,
    status: "paid",
    status_transitions: {
      finalized_at: invoice.created,
      marked_uncollectible_at: null,
      paid_at: invoice.created,
      voided_at: null,
    },
    subtotal: total,
    subtotal_excluding_tax: total,
    total,
    total_excluding_tax: total,
    webhooks_delivered_at: null,
    parent: {
      quote_details: null,
      subscription_details: {
        metadata: { ...invoice.subscriptionMetadata },
        subscription: invoice.subscription,
      },
      type: "subscription_details",
    },
    // Before API 2025-03-31 the invoice named its subscription directly.
    ...(shape === "subscription-period"
      ? { subscription: invoice.subscription }
      : {}),
  };
}

export function checkoutSessionObject(session: CheckoutSessionRecord): Json {
  const base = template("checkout.session");
  const paid = session.status === "complete";
  return {
    ...base,
    after_expiration: null,
    amount_subtotal: session.amountTotal,
    amount_total: session.amountTotal,
    cancel_url: session.cancelUrl,
    client_reference_id: session.clientReferenceId,
    consent: null,
    consent_collection: null,
    created: session.created,
    currency: session.currency,
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: session.customer,
    customer_creation: session.createsCustomer ? "always" : null,
    customer_details: session.paidBy
      ? {
          ...base.customer_details,
          address: null,
          email: session.paidBy.email,
          name: session.paidBy.name,
        }
      : null,
    customer_email: session.customerEmail,
    expires_at: session.expiresAt,
    id: session.id,
    invoice: session.invoice,
    invoice_creation: null,
    metadata: { ...session.metadata },
    mode: "subscription",
    payment_intent: null,
    payment_method_configuration_details: null,
    payment_status: paid ? "paid" : "unpaid",
    shipping_address_collection: null,
    shipping_cost: null,
    status: session.status,
    subscription: session.subscription,
    success_url: session.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    // Stripe drops the page's address once the session is no longer open.
    url: paid ? null : session.url,
    collected_information: null,
    currency_conversion: null,
  };
}

/** Stripe publishes no example of this one; its fields are from the SDK. */
export function portalSessionObject(session: PortalSessionRecord): Json {
  return {
    id: session.id,
    object: "billing_portal.session",
    configuration: session.configuration,
    created: session.created,
    customer: session.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: session.returnUrl,
    url: session.url,
  };
}

export function eventObject(fields: {
  apiVersion: string;
  created: number;
  type: string;
  object: Json;
  previous?: Json;
  pendingWebhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}): Stripe.Event {
  return {
    ...template("event"),
    api_version: fields.apiVersion,
    created: fields.created,
    data: fields.previous
      ? { object: fields.object, previous_attributes: fields.previous }
      : { object: fields.object },
    id: newId("evt_"),
    pending_webhooks: fields.pendingWebhooks,
    request: fields.request,
    type: fields.type,
  } as Stripe.Event;
}

/** The API version events carry, matching the subscription shape. */
export function apiVersionFor(shape: SubscriptionShape): string {
  return shape === "item-period" ? Stripe.API_VERSION : "2024-06-20";
}
