import { clerkMiddleware, createRouteMatcher } from "@clerk/nextjs/server";
import { UnavailableError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { NextResponse } from "next/server";
import { siteConfig, signInUrl, signUpUrl } from "./lib/config";
import { customerHeader, encodeCustomer } from "./lib/customer-header";
import { ensureForPage } from "./lib/ensure-customer";
import { unavailablePage } from "./lib/unavailable";

const logger = createLogger("web");
const needsCustomer = createRouteMatcher([
  "/dashboard(.*)",
  "/checkout/success",
  "/api/customer",
]);

/**
 * Clerk verifies the session on every request. For the routes that show a
 * customer, this also runs get-or-create before any page renders: only
 * here can a storage failure still become a 503 rather than a half page.
 */
export default clerkMiddleware(
  async (auth, request) => {
    // Only this proxy may tell a page the record: drop any sent with the
    // request, then set it once read.
    const forwarded = new Headers(request.headers);
    forwarded.delete(customerHeader);
    const next = () => NextResponse.next({ request: { headers: forwarded } });
    if (!needsCustomer(request)) return next();
    const api = request.nextUrl.pathname.startsWith("/api/");
    const { userId, redirectToSignIn } = await auth();
    if (!userId) return api ? signedOut() : redirectToSignIn();
    try {
      const { customer } = await ensureForPage(userId);
      if (customer.status === "deleted") {
        return api ? signedOut() : redirectToSignIn();
      }
      forwarded.set(customerHeader, encodeCustomer(customer));
      return next();
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      logger.error("customer unavailable", {
        userId,
        path: request.nextUrl.pathname,
        cause: error.message,
      });
      return unavailablePage(api);
    }
  },
  // Read per request, so one build serves any stage. The secret key is
  // left to Clerk, which reads CLERK_SECRET_KEY itself; passing it here
  // would require CLERK_ENCRYPTION_KEY.
  () => {
    const config = siteConfig();
    return {
      publishableKey: config.publishableKey,
      jwtKey: config.jwtKey,
      signInUrl,
      signUpUrl,
    };
  },
);

function signedOut() {
  return NextResponse.json({ error: "signed-out" }, { status: 401 });
}

export const config = {
  matcher: [
    // Every page and API route, but not Next's assets or files with an
    // extension (favicon.ico, images): those need no session.
    "/((?!_next/|.*\\.\\w+$).*)",
    "/api/(.*)",
  ],
};
