import type Stripe from "stripe";
import {
  apiVersionFor,
  checkoutSessionObject,
  customerObject,
  deletedCustomerObject,
  eventObject,
  invoiceObject,
  newId,
  priceObject,
  subscriptionObject,
  type Json,
  type SubscriptionShape,
} from "./objects";

export type Metadata = Record<string, string>;
export type LineItem = { price: string; quantity: number };

/** The API request behind a change; null for the clock or a hosted page. */
export type Origin = {
  requestId: string | null;
  idempotencyKey: string | null;
};

export type CustomerRecord = {
  id: string;
  created: number;
  email: string | null;
  name: string | null;
  metadata: Metadata;
  invoicePrefix: string;
  invoiceCount: number;
  deleted: boolean;
};

export type SubscriptionRecord = {
  id: string;
  created: number;
  customer: string;
  status: string;
  metadata: Metadata;
  items: Array<LineItem & { id: string }>;
  periodStart: number;
  periodEnd: number;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  latestInvoice: string | null;
};

export type InvoiceRecord = {
  id: string;
  created: number;
  number: string;
  customer: string;
  customerEmail: string | null;
  customerName: string | null;
  subscription: string;
  subscriptionMetadata: Metadata;
  billingReason: "subscription_create" | "subscription_cycle";
  periodStart: number;
  periodEnd: number;
  lines: Array<LineItem & { id: string; subscriptionItem: string }>;
};

export type CheckoutSessionRecord = {
  id: string;
  created: number;
  expiresAt: number;
  url: string;
  customer: string | null;
  customerEmail: string | null;
  createsCustomer: boolean;
  clientReferenceId: string | null;
  lineItems: LineItem[];
  amountTotal: number;
  currency: string;
  metadata: Metadata;
  subscriptionMetadata: Metadata;
  successUrl: string | null;
  cancelUrl: string | null;
  status: "open" | "complete";
  subscription: string | null;
  invoice: string | null;
  paidBy: { email: string | null; name: string | null } | null;
};

export type PortalSessionRecord = {
  id: string;
  created: number;
  configuration: string;
  customer: string;
  returnUrl: string | null;
  url: string;
};

export type StateOptions = {
  baseUrl: string;
  shape: SubscriptionShape;
  /** What new events say in `pending_webhooks`: 1 when one is delivered. */
  pendingWebhooks: number;
  onEvent(event: Stripe.Event): void;
};

/**
 * Everything `State` holds but its options, as plain data: what a state
 * file keeps. Maps become arrays in insertion order, which is the order
 * lists answer in.
 */
export type StateSnapshot = {
  clockOffset: number;
  portalConfiguration: string;
  proPrice: string;
  prices: Json[];
  customers: CustomerRecord[];
  subscriptions: SubscriptionRecord[];
  invoices: InvoiceRecord[];
  checkoutSessions: CheckoutSessionRecord[];
  portalSessions: PortalSessionRecord[];
  events: Stripe.Event[];
};

const automatic: Origin = { requestId: null, idempotencyKey: null };

/**
 * Everything the stand-in knows, in memory, its clock and its event log.
 * The rules that change it live in `customers`, `subscriptions`,
 * `checkout` and `portal`.
 */
export class State {
  readonly proPrice: Json;
  readonly events: Stripe.Event[] = [];
  readonly prices = new Map<string, Json>();
  readonly customers = new Map<string, CustomerRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly invoices = new Map<string, InvoiceRecord>();
  readonly checkoutSessions = new Map<string, CheckoutSessionRecord>();
  readonly portalSessions = new Map<string, PortalSessionRecord>();
  readonly portalConfiguration: string;
  private clockOffset: number;
  private origin = automatic;

  /** Fresh, or as `saved` left it, its pages on this run's `baseUrl`. */
  constructor(
    readonly options: StateOptions,
    saved?: StateSnapshot,
  ) {
    this.clockOffset = saved?.clockOffset ?? 0;
    this.portalConfiguration = saved?.portalConfiguration ?? newId("bpc_");
    const prices = saved?.prices ?? [priceObject(this.now())];
    for (const price of prices) this.prices.set(price.id, price);
    this.proPrice = this.prices.get(saved?.proPrice ?? prices[0]!.id)!;
    const fill = <T extends { id: string }>(
      map: Map<string, T>,
      records: T[] = [],
    ) => records.forEach((record) => map.set(record.id, record));
    fill(this.customers, saved?.customers);
    fill(this.subscriptions, saved?.subscriptions);
    fill(this.invoices, saved?.invoices);
    // A restart may take another port: the hosted pages move with it.
    const moved = <T extends { url: string }>(record: T) => ({
      ...record,
      url: new URL(new URL(record.url).pathname, options.baseUrl).href,
    });
    fill(this.checkoutSessions, saved?.checkoutSessions.map(moved));
    fill(this.portalSessions, saved?.portalSessions.map(moved));
    this.events.push(...(saved?.events ?? []));
  }

  /** Everything, sharing the live records: to write out, not to keep. */
  snapshot(): StateSnapshot {
    return {
      clockOffset: this.clockOffset,
      portalConfiguration: this.portalConfiguration,
      proPrice: this.proPrice.id,
      prices: [...this.prices.values()],
      customers: [...this.customers.values()],
      subscriptions: [...this.subscriptions.values()],
      invoices: [...this.invoices.values()],
      checkoutSessions: [...this.checkoutSessions.values()],
      portalSessions: [...this.portalSessions.values()],
      events: this.events,
    };
  }

  /** Epoch seconds: the wall clock plus every `moveClock`. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffset;
  }

  moveClock(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError("the clock moves by a number of seconds >= 0");
    }
    this.clockOffset += Math.round(seconds);
  }

  /**
   * Events emitted by `work` name the request that caused them. The
   * server handles each request synchronously once its body is read, so
   * no two requests are ever inside here at once.
   */
  during<T>(origin: Origin, work: () => T): T {
    this.origin = origin;
    try {
      return work();
    } finally {
      this.origin = automatic;
    }
  }

  emit(type: string, object: Json, previous?: Json): void {
    const event = eventObject({
      apiVersion: apiVersionFor(this.options.shape),
      created: this.now(),
      type,
      object,
      previous,
      pendingWebhooks: this.options.pendingWebhooks,
      request: {
        id: this.origin.requestId,
        idempotency_key: this.origin.idempotencyKey,
      },
    });
    this.events.push(event);
    this.options.onEvent(event);
  }

  /** Any object by its id, as the API shows it now. */
  find(id: string): Json | undefined {
    if (this.customers.has(id)) return this.customerJson(id);
    if (this.prices.has(id)) return this.prices.get(id);
    const subscription = this.subscriptions.get(id);
    if (subscription) return this.subscriptionJson(subscription);
    const invoice = this.invoices.get(id);
    if (invoice) return this.invoiceJson(invoice);
    const session = this.checkoutSessions.get(id);
    return session && checkoutSessionObject(session);
  }

  customerJson(id: string): Json | undefined {
    const customer = this.customers.get(id);
    if (!customer) return undefined;
    return customer.deleted
      ? deletedCustomerObject(id)
      : customerObject(customer);
  }

  subscriptionJson(subscription: SubscriptionRecord): Json {
    const price = (id: string) => this.prices.get(id)!;
    return subscriptionObject(subscription, price, this.options.shape);
  }

  invoiceJson(invoice: InvoiceRecord): Json {
    const price = (id: string) => this.prices.get(id)!;
    return invoiceObject(invoice, price, this.options.shape);
  }
}
