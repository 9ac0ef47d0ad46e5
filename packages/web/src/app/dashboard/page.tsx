import * as Policy from "@app/core/policy";
import Link from "next/link";
import { currentCustomer } from "@/lib/customer";

export const dynamic = "force-dynamic";

export default async function Dashboard() {
  const customer = await currentCustomer();
  const name = [customer.firstName, customer.lastName].filter(Boolean);
  return (
    <>
      <h1>Welcome{name.length ? `, ${name.join(" ")}` : ""}</h1>
      <section className="card">
        <dl>
          <dt>Membership</dt>
          <dd data-testid="dashboard-membership">{customer.membership}</dd>
          <dt>Email</dt>
          <dd data-testid="email">
            {customer.email ?? "arriving from Clerk (reload to see it)"}
          </dd>
          <dt>Member since</dt>
          <dd>
            <time dateTime={customer.createdAt} data-testid="created-at">
              {new Date(customer.createdAt).toUTCString()}
            </time>
          </dd>
          <dt>Record created by</dt>
          <dd data-testid="created-by">{customer.createdBy}</dd>
        </dl>
      </section>
      <section className="card" data-testid="reports">
        <h2>Reports</h2>
        {Policy.canUse(customer, "reports") ? (
          <p>Your weekly reports are ready.</p>
        ) : (
          <p className="locked">
            Reports are part of Pro. <Link href="/pricing">See plans</Link>
          </p>
        )}
      </section>
    </>
  );
}
