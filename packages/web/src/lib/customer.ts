import { auth } from "@clerk/nextjs/server";
import * as Customer from "@app/core/customer";
import { redirect } from "next/navigation";
import { cache } from "react";
import { signInUrl } from "./config";

/**
 * The signed-in user's record, created if this is their first request.
 * Cached per request, so the layout, header and page share one lookup.
 * A tombstoned user is treated as signed out.
 */
export const currentCustomer = cache(async (): Promise<Customer.Customer> => {
  const { userId } = await auth();
  if (!userId) redirect(signInUrl);
  const { customer } = await Customer.ensure(userId, { createdBy: "page" });
  if (customer.status === "deleted") redirect(signInUrl);
  return customer;
});

/** For the header: the record when signed in, undefined otherwise. */
export const optionalCustomer = cache(async () => {
  const { userId } = await auth();
  if (!userId) return undefined;
  const { customer } = await Customer.ensure(userId, { createdBy: "page" });
  return customer.status === "deleted" ? undefined : customer;
});
