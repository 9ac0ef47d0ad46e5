import { auth } from "@clerk/nextjs/server";
import * as Customer from "@app/core/customer";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { signInUrl } from "./config";
import { customerHeader, decodeCustomer } from "./customer-header";
import { ensureForPage } from "./ensure-customer";

/**
 * Get-or-create for one user, cached per request: the layout, header and
 * page of one render share one strongly consistent read, the proxy's when
 * it ran get-or-create for this route, otherwise their own.
 */
export const ensureFor = cache(async (userId: string) => {
  const passed = decodeCustomer((await headers()).get(customerHeader));
  if (passed?.userId === userId) {
    return { customer: passed, outcome: "existing" as const };
  }
  return ensureForPage(userId);
});

/**
 * The signed-in user's record, created if this is their first request.
 * A tombstoned user is treated as signed out.
 */
export async function currentCustomer(): Promise<Customer.Customer> {
  const customer = await optionalCustomer();
  if (!customer) redirect(signInUrl);
  return customer;
}

/** The record when signed in (and not deleted), undefined otherwise. */
export async function optionalCustomer() {
  const { userId } = await auth();
  if (!userId) return undefined;
  const { customer } = await ensureFor(userId);
  return customer.status === "deleted" ? undefined : customer;
}
