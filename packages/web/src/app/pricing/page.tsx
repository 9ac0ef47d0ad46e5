import Link from "next/link";

export const dynamic = "force-dynamic";

export default function Pricing() {
  return (
    <>
      <h1>Pricing</h1>
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
            <strong>$12 a month</strong>
          </p>
          <p className="locked">Checkout opens with Stripe billing.</p>
        </section>
      </div>
      <p>
        <Link href="/dashboard">Back to your dashboard</Link>
      </p>
    </>
  );
}
