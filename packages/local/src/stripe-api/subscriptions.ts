import { invalid, noSuch } from "./errors";
import { addMonth, newId, previousAttributes, type Json } from "./objects";
import * as Customers from "./customers";
import type {
  InvoiceRecord,
  LineItem,
  Metadata,
  State,
  SubscriptionRecord,
} from "./state";

/** Canceled and expired subscriptions are over: nothing renews or ends them. */
export function running(subscription: SubscriptionRecord): boolean {
  return !["canceled", "incomplete_expired"].includes(subscription.status);
}

/** A new subscription for one period from now; the caller emits. */
export function start(
  state: State,
  customer: string,
  fields: { status?: string; metadata: Metadata; items: LineItem[] },
): SubscriptionRecord {
  const now = state.now();
  const subscription: SubscriptionRecord = {
    id: newId("sub_"),
    created: now,
    customer,
    status: fields.status ?? "active",
    metadata: { ...fields.metadata },
    items: fields.items.map((item) => ({ ...item, id: newId("si_", 14) })),
    periodStart: now,
    periodEnd: addMonth(now),
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    latestInvoice: null,
  };
  state.subscriptions.set(subscription.id, subscription);
  return subscription;
}

/** A subscription to the pro price, as if made in Stripe's dashboard. */
export function create(
  state: State,
  customerId: string,
  options: { status?: string; metadata?: Metadata } = {},
): Json {
  Customers.live(state, customerId, "customer");
  const subscription = start(state, customerId, {
    status: options.status,
    metadata: options.metadata ?? {},
    items: [{ price: state.proPrice.id, quantity: 1 }],
  });
  const json = state.subscriptionJson(subscription);
  state.emit("customer.subscription.created", json);
  return json;
}

/** The paid invoice for the subscription's current period. */
export function invoice(
  state: State,
  subscription: SubscriptionRecord,
  billingReason: InvoiceRecord["billingReason"],
): InvoiceRecord {
  const customer = state.customers.get(subscription.customer)!;
  customer.invoiceCount += 1;
  const sequence = String(customer.invoiceCount).padStart(4, "0");
  const record: InvoiceRecord = {
    id: newId("in_"),
    created: state.now(),
    number: `${customer.invoicePrefix}-${sequence}`,
    customer: customer.id,
    customerEmail: customer.email,
    customerName: customer.name,
    subscription: subscription.id,
    subscriptionMetadata: { ...subscription.metadata },
    billingReason,
    periodStart: subscription.periodStart,
    periodEnd: subscription.periodEnd,
    lines: subscription.items.map((item) => ({
      id: newId("il_"),
      price: item.price,
      quantity: item.quantity,
      subscriptionItem: item.id,
    })),
  };
  state.invoices.set(record.id, record);
  subscription.latestInvoice = record.id;
  return record;
}

/** Newest first, as Stripe lists; by default without canceled ones. */
export function list(
  state: State,
  filter: { customer?: string; status?: string; price?: string },
): Json[] {
  const wanted = (subscription: SubscriptionRecord) =>
    filter.status === "all" ||
    (filter.status === undefined && subscription.status !== "canceled") ||
    (filter.status === "ended" && !running(subscription)) ||
    filter.status === subscription.status;
  return [...state.subscriptions.values()]
    .reverse()
    .filter(
      (subscription) =>
        (!filter.customer || subscription.customer === filter.customer) &&
        (!filter.price ||
          subscription.items.some((item) => item.price === filter.price)) &&
        wanted(subscription),
    )
    .map((subscription) => state.subscriptionJson(subscription));
}

/** The one a customer's portal shows: the newest still running. */
export function current(
  state: State,
  customerId: string,
): SubscriptionRecord | undefined {
  const theirs = [...state.subscriptions.values()]
    .filter((subscription) => subscription.customer === customerId)
    .reverse();
  return theirs.find(running) ?? theirs[0];
}

export function update(
  state: State,
  id: string,
  changes: { cancelAtPeriodEnd?: boolean; metadata?: Metadata | "" },
): Json {
  const subscription = find(state, id);
  const { cancelAtPeriodEnd, metadata } = changes;
  if (!running(subscription) && cancelAtPeriodEnd !== undefined) {
    throw invalid(
      "A canceled subscription can only update its metadata.",
      "cancel_at_period_end",
    );
  }
  const type = "customer.subscription.updated";
  return change(state, subscription, type, false, () => {
    if (
      cancelAtPeriodEnd !== undefined &&
      cancelAtPeriodEnd !== subscription.cancelAtPeriodEnd
    ) {
      subscription.cancelAtPeriodEnd = cancelAtPeriodEnd;
      subscription.canceledAt = cancelAtPeriodEnd ? state.now() : null;
    }
    if (metadata !== undefined) {
      subscription.metadata = merge(subscription.metadata, metadata);
    }
  });
}

export function cancel(state: State, id: string): Json {
  const subscription = find(state, id);
  if (!running(subscription)) {
    throw invalid(`Subscription ${id} has already ended.`, "id");
  }
  return end(state, subscription, state.now());
}

export function end(
  state: State,
  subscription: SubscriptionRecord,
  at: number,
): Json {
  const type = "customer.subscription.deleted";
  return change(state, subscription, type, false, () => {
    subscription.status = "canceled";
    subscription.endedAt = at;
    subscription.canceledAt ??= at;
  });
}

/**
 * Sets any status, including ones Stripe does not have, and emits the
 * event Stripe sends for that move; also when the status is unchanged,
 * so a test always gets a fresh event carrying the current state.
 */
export function setStatus(state: State, id: string, status: string): Json {
  const subscription = find(state, id);
  const kind =
    status === "canceled" ? "deleted"
    : status === "paused" ? "paused"
    : subscription.status === "paused" ? "resumed"
    : "updated";
  const type = `customer.subscription.${kind}`;
  const always = true;
  return change(state, subscription, type, always, () => {
    subscription.status = status;
    subscription.endedAt = status === "canceled" ? state.now() : null;
    if (status === "canceled") subscription.canceledAt ??= state.now();
  });
}

/**
 * After the clock moved: every period that ended since either ends its
 * subscription (cancel at period end) or renews it (active ones).
 */
export function catchUp(state: State): void {
  for (const subscription of state.subscriptions.values()) {
    while (running(subscription) && subscription.periodEnd <= state.now()) {
      if (subscription.cancelAtPeriodEnd) {
        end(state, subscription, subscription.periodEnd);
        break;
      }
      if (subscription.status !== "active") break;
      renew(state, subscription);
    }
  }
}

/**
 * Stripe moves the period and invoices the new one in one step; the
 * event for the move comes first, `invoice.paid` once the card is charged.
 */
function renew(state: State, subscription: SubscriptionRecord) {
  let paid: InvoiceRecord | undefined;
  change(state, subscription, "customer.subscription.updated", false, () => {
    subscription.periodStart = subscription.periodEnd;
    subscription.periodEnd = addMonth(subscription.periodStart);
    paid = invoice(state, subscription, "subscription_cycle");
  });
  state.emit("invoice.paid", state.invoiceJson(paid!));
}

/**
 * Applies `mutate` and emits `type`, as Stripe does, only when the
 * subscription changed, unless `always`.
 */
function change(
  state: State,
  subscription: SubscriptionRecord,
  type: string,
  always: boolean,
  mutate: () => void,
): Json {
  const before = state.subscriptionJson(subscription);
  mutate();
  const after = state.subscriptionJson(subscription);
  const previous = previousAttributes(before, after);
  if (!always && Object.keys(previous).length === 0) return after;
  const withPrevious = type === "customer.subscription.updated";
  state.emit(type, after, withPrevious ? previous : undefined);
  return after;
}

function find(state: State, id: string): SubscriptionRecord {
  const subscription = state.subscriptions.get(id);
  if (!subscription) throw noSuch("subscription", id);
  return subscription;
}

/** Stripe's rule: an empty value removes a key, `metadata=""` all keys. */
function merge(current: Metadata, update: Metadata | ""): Metadata {
  if (update === "") return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === "") delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
