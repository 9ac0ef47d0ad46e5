import Link from "next/link";
import type { ReactNode } from "react";
import { currentCustomer } from "@/lib/customer";

export const dynamic = "force-dynamic";

/**
 * Every signed-in user may enter: the record is fetched or created here,
 * so a brand-new user never waits for the webhook.
 */
export default async function DashboardLayout({
  children,
}: {
  children: ReactNode;
}) {
  const customer = await currentCustomer();
  return (
    <>
      <nav style={{ display: "flex", gap: "1rem" }}>
        <Link href="/dashboard">Overview</Link>
        <Link href="/dashboard/billing">Billing</Link>
        <span>
          Plan: <strong data-testid="membership">{customer.membership}</strong>
        </span>
      </nav>
      {children}
    </>
  );
}
