import Link from "next/link";
import { currentCustomer } from "@/lib/customer";

export const dynamic = "force-dynamic";

export default async function Billing() {
  const customer = await currentCustomer();
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
          {customer.currentPeriodEnd && (
            <>
              <dt>{customer.cancelAtPeriodEnd ? "Ends" : "Renews"}</dt>
              <dd>{customer.currentPeriodEnd}</dd>
            </>
          )}
        </dl>
      </section>
      {customer.membership === "free" && (
        <p>
          You are on the free plan. <Link href="/pricing">Compare plans</Link>
        </p>
      )}
    </>
  );
}
