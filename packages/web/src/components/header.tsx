import { SignOutButton } from "@clerk/nextjs";
import * as Policy from "@app/core/policy";
import Link from "next/link";
import { siteConfig } from "@/lib/config";
import { optionalCustomer } from "@/lib/customer";

/** Offline, the local stand-in for Clerk ends the session. */
function SignOut() {
  if (!siteConfig().offline) {
    return (
      <SignOutButton>
        <button className="link-button">Log out</button>
      </SignOutButton>
    );
  }
  return (
    <form method="post" action="/local/sign-out">
      <button className="link-button" data-testid="sign-out">
        Log out
      </button>
    </form>
  );
}

/**
 * Signed-in users see "Dashboard", free ones also "Upgrade"; everyone else
 * "Sign up". If the record cannot be read, no upgrade is offered: a paying
 * customer must never be shown the free view.
 */
export async function Header() {
  const customer = await optionalCustomer().catch(() => "unknown" as const);
  return (
    <header className="header">
      <Link href="/" className="brand">
        Acme
      </Link>
      <nav>
        <Link href="/pricing">Pricing</Link>
        {customer === undefined ? (
          <>
            <Link href="/login">Log in</Link>
            <Link href="/signup" className="button">
              Sign up
            </Link>
          </>
        ) : (
          <>
            <Link href="/dashboard">Dashboard</Link>
            {customer !== "unknown" && Policy.shouldOfferUpgrade(customer) && (
              <Link href="/pricing" className="button">
                Upgrade
              </Link>
            )}
            <SignOut />
          </>
        )}
      </nav>
    </header>
  );
}
