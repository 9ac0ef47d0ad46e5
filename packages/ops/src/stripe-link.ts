import * as Customer from "@app/core/customer";
import {
  InvalidInputError,
  NotFoundError,
  UnavailableError,
} from "@app/core/errors";
import { claim, StripeCustomerId, type ClaimOutcome } from "@app/core/stripe";
import { OpsError } from "./errors";

/**
 * Links a Stripe customer to a user by hand, as checkout would have: for
 * a customer made outside the site (Stripe's dashboard, an import) whose
 * events wait in the DLQ. Never replaces a link; a redrive then applies
 * the waiting events.
 */
export async function linkStripeCustomer(
  userId: string,
  stripeCustomerId: string,
): Promise<ClaimOutcome> {
  if (!Customer.UserId.safeParse(userId).success) {
    throw new OpsError(`not a Clerk user id: ${userId}`, 2);
  }
  if (!StripeCustomerId.safeParse(stripeCustomerId).success) {
    throw new OpsError(`not a Stripe customer id: ${stripeCustomerId}`, 2);
  }
  let outcome: ClaimOutcome;
  try {
    outcome = await claim(userId, stripeCustomerId);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new OpsError(`no customer ${userId}`, 3);
    }
    if (error instanceof InvalidInputError || error instanceof UnavailableError) {
      const data = JSON.stringify(error.data);
      throw new OpsError(`${error.message}: ${data}`);
    }
    throw error;
  }
  if (outcome === "tombstoned") {
    throw new OpsError(`customer ${userId} is deleted; nothing linked`);
  }
  return outcome;
}
