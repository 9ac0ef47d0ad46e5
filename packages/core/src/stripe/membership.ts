import type { Membership } from "../customer";

/**
 * What each Stripe subscription status means for membership, in one
 * place. `past_due` keeps `pro` while Stripe retries the card.
 */
export const membershipByStatus: Readonly<Record<string, Membership>> = {
  active: "pro",
  trialing: "pro",
  past_due: "pro",
  unpaid: "free",
  incomplete: "free",
  incomplete_expired: "free",
  canceled: "free",
  paused: "free",
};

/**
 * The membership a status grants, or undefined for a status this code
 * does not know: the caller then leaves membership as it is and warns.
 */
export function membershipFor(status: string): Membership | undefined {
  return Object.hasOwn(membershipByStatus, status)
    ? membershipByStatus[status]
    : undefined;
}
