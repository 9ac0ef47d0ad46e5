import { auth } from "@clerk/nextjs/server";
import * as Customer from "@app/core/customer";
import { UnavailableError } from "@app/core/errors";
import { NextResponse } from "next/server";
import { unavailablePage } from "@/lib/unavailable";

export const dynamic = "force-dynamic";

/** The signed-in user's own record; nobody else's is reachable here. */
export async function GET() {
  const { userId } = await auth();
  if (!userId) return signedOut();
  try {
    const { customer } = await Customer.ensure(userId, { createdBy: "page" });
    if (customer.status === "deleted") return signedOut();
    return NextResponse.json(customer, {
      headers: { "cache-control": "no-store" },
    });
  } catch (error) {
    if (error instanceof UnavailableError) return unavailablePage(true);
    throw error;
  }
}

function signedOut() {
  return NextResponse.json({ error: "signed-out" }, { status: 401 });
}
