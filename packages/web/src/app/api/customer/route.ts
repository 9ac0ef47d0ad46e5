import { auth } from "@clerk/nextjs/server";
import { UnavailableError } from "@app/core/errors";
import { NextResponse } from "next/server";
import { ensureFor } from "@/lib/customer";
import { unavailablePage } from "@/lib/unavailable";

export const dynamic = "force-dynamic";

/** The signed-in user's own record; nobody else's is reachable here. */
export async function GET() {
  const { userId } = await auth();
  if (!userId) return signedOut();
  try {
    const { customer } = await ensureFor(userId);
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
