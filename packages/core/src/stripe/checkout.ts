import type Stripe from "stripe";
import * as Customer from "../customer";
import { InvalidInputError, NotFoundError, UnavailableError } from "../errors";
import { claim } from "./link";
import { stripeErrorCode, syncMembership, type SyncResult } from "./sync";

/**
 * The user's Stripe customer, created at most once. Concurrent callers
 * (a double click, two tabs) send the same idempotency key, so Stripe
 * hands them the same customer, and the claim lets only one link it.
 */
export async function ensureStripeCustomer(
  stripe: Stripe,
  customer: Customer.Customer,
): Promise<string> {
  if (customer.stripeCustomerId) return customer.stripeCustomerId;
  const { userId } = customer;
  // The same parameters on every call: Stripe refuses a reused key with
  // different ones, and the email may arrive (with Clerk's webhook)
  // between a first attempt and a retry. Checkout asks for the email.
  const created = await callStripe("customers.create", { userId }, () =>
    stripe.customers.create(
      { metadata: { userId } },
      { idempotencyKey: `customer-for-${userId}` },
    ),
  );
  const outcome = await claim(userId, created.id);
  if (outcome === "tombstoned") {
    throw new NotFoundError("customer was deleted", { userId });
  }
  return created.id;
}

/** A subscription-mode Checkout Session for the one price, and its URL. */
export async function startCheckout(
  stripe: Stripe,
  input: {
    customer: Customer.Customer;
    priceId: string;
    successUrl: string;
    cancelUrl: string;
  },
): Promise<string> {
  const { userId } = input.customer;
  const stripeCustomerId = await ensureStripeCustomer(stripe, input.customer);
  const session = await callStripe("checkout.sessions.create", { userId }, () =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer: stripeCustomerId,
      client_reference_id: userId,
      line_items: [{ price: input.priceId, quantity: 1 }],
      subscription_data: { metadata: { userId } },
      metadata: { userId },
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    }),
  );
  if (!session.url) {
    throw new UnavailableError("Stripe returned a session without a URL", {
      userId,
    });
  }
  return session.url;
}

/** A billing portal session for a user who has a Stripe customer. */
export async function openPortal(
  stripe: Stripe,
  customer: Customer.Customer,
  returnUrl: string,
): Promise<string> {
  const { userId, stripeCustomerId } = customer;
  if (!stripeCustomerId) {
    throw new NotFoundError("no Stripe customer yet", { userId });
  }
  const session = await callStripe("billingPortal.sessions.create", { userId }, () =>
    stripe.billingPortal.sessions.create({
      customer: stripeCustomerId,
      return_url: returnUrl,
    }),
  );
  return session.url;
}

const CheckoutSessionId = /^cs_(test_|live_)?[A-Za-z0-9]{1,255}$/;

/**
 * The success page's sync: the session must belong to the signed-in
 * user; then the subscription is read and written at once, so the user
 * sees `pro` before any webhook arrives.
 */
export async function confirmCheckout(
  stripe: Stripe,
  customer: Customer.Customer,
  sessionId: string,
): Promise<SyncResult> {
  const { userId } = customer;
  if (!CheckoutSessionId.test(sessionId)) {
    throw new InvalidInputError("not a Checkout Session id", { userId });
  }
  const session = await callStripe("checkout.sessions.retrieve", { userId }, () =>
    stripe.checkout.sessions.retrieve(sessionId),
  );
  const sessionCustomer =
    typeof session.customer === "string" ? session.customer : session.customer?.id;
  const owned =
    session.client_reference_id === userId ||
    (sessionCustomer !== undefined && sessionCustomer === customer.stripeCustomerId);
  if (!owned || !sessionCustomer) {
    throw new InvalidInputError("Checkout Session belongs to someone else", {
      userId,
    });
  }
  if (!customer.stripeCustomerId) {
    const outcome = await claim(userId, sessionCustomer);
    if (outcome === "tombstoned") {
      throw new NotFoundError("customer was deleted", { userId });
    }
    return syncMembership(stripe, userId, sessionCustomer);
  }
  return syncMembership(stripe, userId, sessionCustomer, customer);
}

/**
 * A failed Stripe call as "unavailable" with Stripe's error code, so the
 * site answers 503 and the consumer retries. A missing resource (a
 * mistyped session id) is "not found".
 */
async function callStripe<T>(
  operation: string,
  data: Record<string, unknown>,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = stripeErrorCode(error);
    if (code === "resource_missing") {
      throw new NotFoundError(`Stripe has no such object (${operation})`, data);
    }
    throw new UnavailableError(
      `Stripe unavailable during ${operation}: ${code}`,
      { ...data, operation, code },
      { cause: error },
    );
  }
}
