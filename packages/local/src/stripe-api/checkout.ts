import { invalid, noSuch } from "./errors";
import { checkoutSessionObject, newId, type Json } from "./objects";
import * as Customers from "./customers";
import type {
  CheckoutSessionRecord,
  LineItem,
  Metadata,
  State,
} from "./state";
import * as Subscriptions from "./subscriptions";

/** Checkout sessions stay payable for 24 hours, Stripe's default. */
const openSeconds = 24 * 60 * 60;

export function create(
  state: State,
  fields: {
    customer?: string;
    customerEmail?: string;
    clientReferenceId?: string;
    lineItems: LineItem[];
    metadata: Metadata;
    subscriptionMetadata: Metadata;
    successUrl?: string;
    cancelUrl?: string;
  },
): Json {
  if (fields.customer) Customers.live(state, fields.customer, "customer");
  if (fields.customer && fields.customerEmail) {
    throw invalid(
      "You may only specify one of these parameters: customer, customer_email.",
      "customer_email",
    );
  }
  const prices = fields.lineItems.map((item, i) => {
    const price = state.prices.get(item.price);
    if (!price) throw noSuch("price", item.price, `line_items[${i}][price]`);
    return price;
  });
  const id = newId("cs_test_", 58);
  const now = state.now();
  const session: CheckoutSessionRecord = {
    id,
    created: now,
    expiresAt: now + openSeconds,
    url: `${state.options.baseUrl}/pay/${id}`,
    customer: fields.customer ?? null,
    customerEmail: fields.customerEmail ?? null,
    createsCustomer: !fields.customer,
    clientReferenceId: fields.clientReferenceId ?? null,
    lineItems: fields.lineItems,
    amountTotal: fields.lineItems.reduce(
      (sum, item, i) => sum + prices[i]!.unit_amount * item.quantity,
      0,
    ),
    currency: prices[0]!.currency,
    metadata: fields.metadata,
    subscriptionMetadata: fields.subscriptionMetadata,
    successUrl: fields.successUrl ?? null,
    cancelUrl: fields.cancelUrl ?? null,
    status: "open",
    subscription: null,
    invoice: null,
    paidBy: null,
  };
  state.checkoutSessions.set(id, session);
  return checkoutSessionObject(session);
}

export function list(state: State): Json[] {
  return [...state.checkoutSessions.values()].map(checkoutSessionObject);
}

/**
 * What paying on the hosted page does. A session is paid once: completing
 * it again answers with what the first payment made.
 */
export function complete(
  state: State,
  sessionId: string,
  payer: { email?: string } = {},
): { session: Json; subscription: Json } {
  const session = state.checkoutSessions.get(sessionId);
  if (!session) throw noSuch("checkout.session", sessionId);
  if (session.status === "open") pay(state, session, payer);
  const subscription = state.subscriptions.get(session.subscription!)!;
  return {
    session: checkoutSessionObject(session),
    subscription: state.subscriptionJson(subscription),
  };
}

/** Checkout creates the customer when the session names none. */
function pay(
  state: State,
  session: CheckoutSessionRecord,
  payer: { email?: string },
) {
  const customer = session.customer
    ? state.customers.get(session.customer)!
    : Customers.create(state, {
        email: payer.email || session.customerEmail || undefined,
      });
  const subscription = Subscriptions.start(state, customer.id, {
    metadata: session.subscriptionMetadata,
    items: session.lineItems,
  });
  const invoice = Subscriptions.invoice(
    state,
    subscription,
    "subscription_create",
  );
  Object.assign(session, {
    status: "complete",
    customer: customer.id,
    subscription: subscription.id,
    invoice: invoice.id,
    paidBy: { email: customer.email, name: customer.name },
  });
  state.emit(
    "customer.subscription.created",
    state.subscriptionJson(subscription),
  );
  state.emit("invoice.paid", state.invoiceJson(invoice));
  state.emit("checkout.session.completed", checkoutSessionObject(session));
}
