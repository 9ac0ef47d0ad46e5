import { clerkUser } from "../../../../test/support/clerk-backend.js";
import { profileAt, updatedAtOf, type ClerkEventPlan } from "./schedule.js";

/**
 * The body Clerk sends for one event of the plan, in the format of the
 * shared fixtures: the same bytes on every attempt, as Svix resends.
 */
export function clerkBody(
  userId: string,
  user: number,
  event: ClerkEventPlan,
): string {
  const timestamp = updatedAtOf(event.version);
  if (event.type === "user.deleted") {
    return JSON.stringify({
      object: "event",
      type: event.type,
      timestamp,
      data: { object: "user", id: userId, deleted: true },
    });
  }
  const profile = profileAt(user, event);
  const data = clerkUser({
    id: userId,
    email: profile.email ?? null,
    firstName: profile.firstName ?? null,
    lastName: profile.lastName ?? null,
    createdAt: updatedAtOf(0) - 1,
  });
  data.updated_at = timestamp;
  return JSON.stringify({ object: "event", type: event.type, timestamp, data });
}
