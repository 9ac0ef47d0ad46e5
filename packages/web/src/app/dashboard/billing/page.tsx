import Link from "next/link";
import { currentCustomer } from "@/lib/customer";

export const dynamic = "force-dynamic";

export default async function Billing() {
  const customer = await currentCustomer();
  const periodEnd = customer.currentPeriodEnd;
  return (
    <>
      <h1>Billing</h1>
      <section className="card">
        <dl>
          <dt>Membership</dt>
          <dd data-testid="billing-membership">{customer.membership}</dd>
          <dt>Subscription</dt>
          <dd data-testid="subscription-status">
            {customer.subscriptionStatus ?? "none"}
          </dd>
          {periodEnd && (
            <>
              <dt>{customer.cancelAtPeriodEnd ? "Ends on" : "Renews on"}</dt>
              <dd>
                <time dateTime={periodEnd} data-testid="period-end">
                  {new Date(periodEnd).toUTCString()}
                </time>
              </dd>
            </>
          )}
        </dl>
        {customer.cancelAtPeriodEnd && (
          <p data-testid="cancels-at-period-end">
            Your subscription is cancelled and stays active until then.
          </p>
        )}
      </section>
      {customer.stripeCustomerId && (
        <form method="post" action="/billing/portal">
          <button type="submit" className="button" data-testid="manage-billing">
            Manage billing in Stripe
          </button>
        </form>
      )}
      {customer.membership === "free" && (
        <p>
          You are on the free plan. <Link href="/pricing">Compare plans</Link>
        </p>
      )}
    </>
  );
}
