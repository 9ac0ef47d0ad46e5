import { startCheckout } from "@app/core/stripe";
import type { NextRequest } from "next/server";
import { billingRoute, siteOrigin } from "@/lib/billing-route";
import { siteStripe } from "@/lib/stripe";

export const dynamic = "force-dynamic";

/**
 * Starts Stripe Checkout for the pro plan. POST from the pricing page;
 * GET is where sign-up returns a new user who chose pro while signed out.
 */
async function checkout(request: NextRequest) {
  return billingRoute(request, {
    route: "checkout",
    signedOut: "/signup?redirect_url=%2Fcheckout",
    async step(customer) {
      if (customer.membership === "pro") return "/dashboard/billing";
      const { stripe, priceId } = siteStripe();
      const origin = siteOrigin(request);
      return startCheckout(stripe, {
        customer,
        priceId,
        successUrl: `${origin}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${origin}/pricing?checkout=cancelled`,
      });
    },
  });
}

export const GET = checkout;
export const POST = checkout;
