import { openPortal } from "@app/core/stripe";
import type { NextRequest } from "next/server";
import { billingRoute, siteOrigin } from "@/lib/billing-route";
import { siteStripe } from "@/lib/stripe";

export const dynamic = "force-dynamic";

/** Opens Stripe's billing portal; it returns to the billing page. */
export async function POST(request: NextRequest) {
  return billingRoute(request, {
    route: "billing-portal",
    signedOut: "/login",
    async step(customer) {
      if (!customer.stripeCustomerId) return "/pricing";
      const { stripe } = siteStripe();
      return openPortal(
        stripe,
        customer,
        `${siteOrigin(request)}/dashboard/billing`,
      );
    },
  });
}
