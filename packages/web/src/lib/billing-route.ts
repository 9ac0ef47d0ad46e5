import { auth } from "@clerk/nextjs/server";
import type * as Customer from "@app/core/customer";
import { ConfigError, NotFoundError, UnavailableError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { NextResponse, type NextRequest } from "next/server";
import { ensureForPage } from "./ensure-customer";
import { unavailablePage } from "./unavailable";

const logger = createLogger("web");

type Step = (
  customer: Customer.Customer,
  request: NextRequest,
) => Promise<string>;

/**
 * The shape shared by the routes that send a signed-in user to Stripe:
 * refuse cross-site requests, find the user's record, run the step, and
 * answer with a 303 to where it leads. Signed out, the user is sent to
 * `signedOut`; a failure is a 503 that changed nothing.
 */
export async function billingRoute(
  request: NextRequest,
  options: { route: string; signedOut: string; step: Step },
): Promise<NextResponse> {
  if (request.method === "POST" && crossSite(request)) {
    return NextResponse.json({ error: "cross-site-request" }, { status: 403 });
  }
  // A link on another site may open a GET route with the user's cookies;
  // it only ever leads to the pricing page, where the user decides.
  if (
    request.method === "GET" &&
    request.headers.get("sec-fetch-site") === "cross-site"
  ) {
    return seeOther("/pricing");
  }
  const { userId } = await auth();
  if (!userId) return seeOther(options.signedOut);
  try {
    const { customer } = await ensureForPage(userId);
    if (customer.status === "deleted") return seeOther("/login");
    return seeOther(await options.step(customer, request));
  } catch (error) {
    if (
      !(error instanceof UnavailableError) &&
      !(error instanceof ConfigError) &&
      !(error instanceof NotFoundError)
    ) {
      throw error;
    }
    logger.error("billing step failed", {
      route: options.route,
      userId,
      error: error.name,
      cause: error.message,
    });
    return unavailablePage(false);
  }
}

/** Browsers send Origin on every POST; another site's form is refused. */
function crossSite(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  return origin !== null && origin !== siteOrigin(request);
}

/**
 * The site's address as the browser used it. Behind CloudFront, and
 * behind the offline front, Next's own `nextUrl` names the server, not
 * the site, so the forwarded host (or the Host header) decides.
 */
export function siteOrigin(request: NextRequest): string {
  const host =
    request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const proto =
    request.headers.get("x-forwarded-proto") ??
    request.nextUrl.protocol.replace(/:$/, "");
  return host ? `${proto}://${host}` : request.nextUrl.origin;
}

/** A 303 to a path on this site (relative) or to Stripe (absolute). */
function seeOther(location: string) {
  return new NextResponse(null, {
    status: 303,
    headers: { location, "cache-control": "no-store" },
  });
}
