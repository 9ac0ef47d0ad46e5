import type { Customer } from "../customer/schema";

/** Parts of the dashboard that only paying members open. */
export type ProFeature = "reports" | "exports";

/**
 * The one place that decides what a customer may use. Every active user
 * may enter the dashboard; the pro parts open when the record says `pro`.
 */
export function canUse(customer: Customer, feature: ProFeature): boolean {
  void feature;
  return customer.status === "active" && customer.membership === "pro";
}

/** Free members are offered the upgrade; paying ones never are. */
export function shouldOfferUpgrade(customer: Customer): boolean {
  return customer.status === "active" && customer.membership === "free";
}
