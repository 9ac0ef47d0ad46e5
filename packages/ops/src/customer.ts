import * as Customer from "@app/core/customer";
import { InvalidInputError, UnavailableError } from "@app/core/errors";
import { OpsError } from "./errors";

/**
 * The stored record for one user. Email and names show only as set or
 * not unless asked for, so the output can go into a ticket as it is.
 */
export async function getCustomer(
  userId: string,
  options: { showProfile?: boolean } = {},
): Promise<Record<string, unknown>> {
  let customer: Customer.Customer | undefined;
  try {
    customer = await Customer.find(userId);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new OpsError(`not a Clerk user id: ${userId}`, 2);
    }
    if (error instanceof UnavailableError) throw new OpsError(error.message);
    throw error;
  }
  if (!customer) throw new OpsError(`no customer ${userId}`, 3);
  // The id and state first, the profile after, as an operator reads it.
  const { email, firstName, lastName, ...rest } = customer;
  const profile = { email, firstName, lastName };
  if (!options.showProfile) {
    for (const field of Customer.profileFields) {
      profile[field] = profile[field] === undefined ? "(none)" : "(set)";
    }
  }
  return { ...rest, ...profile };
}
