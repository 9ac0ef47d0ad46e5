import type * as Customer from "@app/core/customer";
import {
  ConfigError,
  InvalidInputError,
  NotFoundError,
  UnavailableError,
} from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { confirmCheckout } from "@app/core/stripe";
import Link from "next/link";
import { currentCustomer } from "@/lib/customer";
import { siteStripe } from "@/lib/stripe";

export const dynamic = "force-dynamic";

const logger = createLogger("web");

type Confirmation =
  | { kind: "synced"; customer: Customer.Customer }
  | { kind: "refused" }
  | { kind: "pending"; customer: Customer.Customer };

/**
 * Where Stripe Checkout returns. The subscription is read from Stripe and
 * written here, at once, so the user sees `pro` before any webhook lands;
 * the webhook's later sync then changes nothing.
 */
export default async function CheckoutSuccess({
  searchParams,
}: {
  searchParams: Promise<{ session_id?: string }>;
}) {
  const customer = await currentCustomer();
  const { session_id: sessionId = "" } = await searchParams;
  const confirmation = await confirm(customer, sessionId);
  if (confirmation.kind === "refused") {
    return (
      <>
        <h1>Checkout not found</h1>
        <p className="error" data-testid="checkout-error">
          We could not find that checkout for your account. Nothing was
          changed.
        </p>
        <p>
          <Link href="/pricing">Back to pricing</Link>
        </p>
      </>
    );
  }
  const { membership } = confirmation.customer;
  return (
    <>
      <h1>{membership === "pro" ? "Welcome to Pro" : "Thank you"}</h1>
      <section className="card">
        <dl>
          <dt>Membership</dt>
          <dd data-testid="success-membership">{membership}</dd>
        </dl>
      </section>
      {confirmation.kind === "pending" && (
        <p data-testid="checkout-pending">
          Stripe has not confirmed the payment to us yet. Your membership
          changes as soon as it does; reload in a minute.
        </p>
      )}
      <p>
        <Link href="/dashboard">Go to your dashboard</Link> or{" "}
        <Link href="/dashboard/billing">see billing</Link>.
      </p>
    </>
  );
}

async function confirm(
  customer: Customer.Customer,
  sessionId: string,
): Promise<Confirmation> {
  const { userId } = customer;
  try {
    const { stripe } = siteStripe();
    const result = await confirmCheckout(stripe, customer, sessionId);
    logger.info("checkout confirmed", {
      userId,
      outcome: result.outcome,
      subscriptionStatus: result.state?.status,
    });
    return { kind: "synced", customer: result.customer ?? customer };
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof NotFoundError) {
      logger.warn("checkout refused", { userId, reason: error.message });
      return { kind: "refused" };
    }
    if (!(error instanceof UnavailableError || error instanceof ConfigError)) {
      throw error;
    }
    // Stripe or storage is unavailable: the webhook will sync later.
    logger.error("checkout not confirmed", {
      userId,
      error: error.name,
      cause: error.message,
    });
    return { kind: "pending", customer };
  }
}
