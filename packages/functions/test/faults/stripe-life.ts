import type Stripe from "stripe";
import * as Customer from "@app/core/customer";
import { NotFoundError, UnavailableError } from "@app/core/errors";
import { startCheckout } from "@app/core/stripe";
import type { Run } from "./harness.js";
import { sleep } from "./timeline.js";
import type { StripeStep } from "./schedule.js";

const successUrl =
  "http://localhost/checkout/success?session_id={CHECKOUT_SESSION_ID}";
const cancelUrl = "http://localhost/pricing";

/**
 * One user's life in Stripe: a checkout (from the site, or a Payment
 * Link), then what Stripe and the user do to the subscription. Site
 * actions retry while storage is down, as a user clicking again would.
 */
export async function stripeLife(run: Run, user: number): Promise<void> {
  const plan = run.schedule.users[user]!.stripe;
  if (!plan) return;
  await run.timeline.reached(plan.starts);
  const subscribed =
    plan.via === "checkout"
      ? await checkout(run, user)
      : await paymentLink(run, user);
  if (!subscribed) return;
  for (const { slot, step } of plan.steps) {
    await run.timeline.reached(slot);
    await take(run, user, step);
  }
}

async function take(run: Run, user: number, step: StripeStep) {
  const id = run.subscriptions[user]!.at(-1)!;
  const status = run.standIn.subscription(id)?.status;
  const running = status !== "canceled" && status !== "incomplete_expired";
  if (step.kind === "resubscribe") {
    if (!running && run.schedule.users[user]!.stripe?.via === "checkout") {
      await checkout(run, user);
    }
    return;
  }
  if (!running) return;
  if (step.kind === "status") {
    run.standIn.setSubscriptionStatus(id, step.status);
  } else if (step.kind === "cancel") {
    await run.stripe.subscriptions.cancel(id);
  } else {
    await run.stripe.subscriptions.update(id, { cancel_at_period_end: true });
  }
  run.collectStripeEvents();
}

/** The site's checkout, then paying on the hosted page. */
async function checkout(run: Run, user: number): Promise<boolean> {
  const url = await whileUnavailable(run, user, (customer) =>
    startCheckout(run.stripe, {
      customer,
      priceId: run.standIn.priceId,
      successUrl,
      cancelUrl,
    }),
  );
  if (!url) return false;
  const sessionId = url.split("/").at(-1)!;
  const session = run.standIn
    .checkoutSessions()
    .find((candidate) => candidate.id === sessionId);
  run.own(customerOf(session), user);
  pay(run, user, sessionId);
  return true;
}

/** A Payment Link: Checkout makes a customer that names no user. */
async function paymentLink(run: Run, user: number): Promise<boolean> {
  const ready = await whileUnavailable(run, user, async () => true);
  if (!ready) return false;
  const session = await run.stripe.checkout.sessions.create({
    mode: "subscription",
    client_reference_id: run.userIds[user],
    line_items: [{ price: run.standIn.priceId, quantity: 1 }],
    success_url: successUrl,
    cancel_url: cancelUrl,
  });
  pay(run, user, session.id);
  return true;
}

function pay(run: Run, user: number, sessionId: string) {
  // Synchronous from paying to collecting, so no other action can see
  // this checkout's events before their customer has an owner.
  const paid = run.standIn.completeCheckout(sessionId);
  run.own(customerOf(paid.session), user);
  run.subscriptions[user]!.push(paid.subscription.id);
  run.collectStripeEvents();
}

function customerOf(session: Stripe.Checkout.Session | undefined): string {
  const customer = session?.customer;
  const id = typeof customer === "string" ? customer : customer?.id;
  if (!id) throw new Error("checkout session without a customer");
  return id;
}

/**
 * Loads the page (get-or-create) and runs `work` for a signed-in user,
 * again and again while storage is unavailable. Undefined when the user
 * turns out to be deleted: the site treats them as signed out.
 */
async function whileUnavailable<T>(
  run: Run,
  user: number,
  work: (customer: Customer.Customer) => Promise<T>,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const retry = async (error: unknown) => {
      if (!(error instanceof UnavailableError) || attempt >= 300) throw error;
      await sleep(50);
    };
    let customer: Customer.Customer;
    try {
      ({ customer } = await Customer.ensure(run.userIds[user]!, {
        createdBy: "page",
      }));
      run.seen.pages.push({ user, ok: true });
    } catch (error) {
      run.seen.pages.push({ user, ok: false });
      await retry(error);
      continue;
    }
    if (customer.status === "deleted") return undefined;
    try {
      return await work(customer);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      await retry(error);
    }
  }
}
