import * as Customer from "../customer";
import { profileOf, type ClerkEvent } from "./events";

export type ApplyOutcome =
  | Customer.ProfileOutcome
  | "deleted"
  | "already-deleted";

/** Applies one verified Clerk event to the customer record. */
export async function applyEvent(event: ClerkEvent): Promise<ApplyOutcome> {
  if (event.type === "user.deleted") {
    return (await Customer.markDeleted(event.data.id)).outcome;
  }
  const result = await Customer.applyProfile(event.data.id, {
    profile: profileOf(event.data),
    clerkUpdatedAt: event.data.updated_at,
  });
  return result.outcome;
}
