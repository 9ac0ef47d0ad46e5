import Link from "next/link";
import { optionalCustomer } from "@/lib/customer";

export const dynamic = "force-dynamic";

export default async function Pricing({
  searchParams,
}: {
  searchParams: Promise<{ checkout?: string }>;
}) {
  const { checkout } = await searchParams;
  // Unknown when storage is down: offer checkout, which answers 503 then.
  const customer = await optionalCustomer().catch(() => undefined);
  const pro = customer?.membership === "pro";
  return (
    <>
      <h1>Pricing</h1>
      {checkout === "cancelled" && (
        <p data-testid="checkout-cancelled">
          Checkout was cancelled; nothing was charged.
        </p>
      )}
      <div className="plans">
        <section className="card" data-testid="plan-free">
          <h2>Free</h2>
          <p>The dashboard and one weekly brief.</p>
          <p>
            <strong>$0</strong>
          </p>
        </section>
        <section className="card" data-testid="plan-pro">
          <h2>Pro</h2>
          <p>Everything in Free, plus reports and exports.</p>
          <p>
            <strong>$20 a month</strong>
          </p>
          {pro ? (
            <p data-testid="already-pro">
              You are on Pro. <Link href="/dashboard/billing">Manage billing</Link>
            </p>
          ) : (
            // A plain form: it works before any script loads, and signed
            // out it leads through sign-up and back to checkout.
            <form method="post" action="/checkout">
              <button type="submit" className="button" data-testid="start-checkout">
                {customer ? "Upgrade to Pro" : "Sign up for Pro"}
              </button>
            </form>
          )}
        </section>
      </div>
      {customer && (
        <p>
          <Link href="/dashboard">Back to your dashboard</Link>
        </p>
      )}
    </>
  );
}
