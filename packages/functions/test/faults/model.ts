import { linkKey, type SubscriptionState } from "@app/core/stripe";
import {
  profileAt,
  updatedAtOf,
  type ClerkEventPlan,
  type Fate,
  type Schedule,
} from "./schedule.js";

/** One webhook request of a schedule and what it was answered. */
export type Answer = {
  source: "clerk" | "stripe";
  eventId: string;
  user: number;
  fate: Exclude<Fate, "dropped">;
  status: number;
  reason: string;
};

/** What a schedule did and left behind, read after recovery. */
export type Observed = {
  userIds: string[];
  /** The Svix id of each user's Clerk events, in plan order. */
  clerkEventIds: string[][];
  answers: Answer[];
  /** One per `Customer.ensure` call, the Stripe lives' included. */
  pages: Array<{ user: number; ok: boolean }>;
  stripe: Array<{
    customerId?: string;
    /** Stripe's own state, read from the stand-in once all is done. */
    truth?: SubscriptionState;
    eventIds: string[];
  }>;
  items: Array<Record<string, any>>;
  queued: number;
  deadLetters: Array<{ eventId?: string; stripeCustomerId?: string }>;
  /** The consumer's "applied" lines: event id to outcomes. */
  applied: Map<string, string[]>;
  permanentFailures: string[];
  /** Action errors that are not "storage unavailable". */
  errors: string[];
};

/**
 * Every way the stored state differs from what the schedule implies.
 * Messages carry ids, versions and field names, never an email.
 */
export function violations(schedule: Schedule, seen: Observed): string[] {
  const found: string[] = [];
  const accepted = new Set(
    seen.answers
      .filter((a) => a.status === 200 && a.reason === "enqueued")
      .map((a) => a.eventId),
  );
  for (const answer of seen.answers) {
    const wanted = answer.fate === "delivered" ? 200 : 500;
    if (answer.status !== wanted) {
      found.push(
        `${answer.source} ${answer.eventId} (u${answer.user}, ` +
          `${answer.fate}) answered ${answer.status} ${answer.reason}`,
      );
    }
  }
  const items = new Map(seen.items.map((item) => [item.userId, item]));
  const tombstoned = schedule.users.map((user, i) =>
    user.clerk.some(
      (event, j) =>
        event.type === "user.deleted" &&
        accepted.has(seen.clerkEventIds[i]![j]!),
    ),
  );
  schedule.users.forEach((user, i) => {
    const problems = userViolations(i, user.clerk, seen, accepted, items);
    found.push(...problems.map((problem) => `u${i}: ${problem}`));
  });
  found.push(...strayItems(seen, items));
  found.push(...unaccounted(seen, accepted, items, tombstoned));
  found.push(
    ...seen.permanentFailures.map((id) => `${id} failed as permanent`),
    ...seen.errors,
  );
  if (seen.queued) found.push(`${seen.queued} messages still queued`);
  return found;
}

function userViolations(
  user: number,
  clerk: ClerkEventPlan[],
  seen: Observed,
  accepted: Set<string>,
  items: Map<string, Record<string, any>>,
): string[] {
  const item = items.get(seen.userIds[user]!);
  const taken = clerk.filter((_, j) =>
    accepted.has(seen.clerkEventIds[user]![j]!),
  );
  const deleted = taken.some((event) => event.type === "user.deleted");
  const newest = taken
    .filter((event) => event.type !== "user.deleted")
    .at(-1);
  const pages = seen.pages.filter((page) => page.user === user);
  const created = pages.some((page) => page.ok);

  if (!item) {
    const expected = deleted || newest || created;
    return expected ? ["no record"] : [];
  }
  const problems: string[] = [];
  const allowed = pages.length ? ["webhook", "page"] : ["webhook"];
  if (!allowed.includes(item.createdBy)) {
    problems.push(`created by ${item.createdBy}`);
  }
  if (deleted) {
    if (item.status !== "deleted") problems.push("tombstone lost");
    const kept = ["email", "firstName", "lastName"].filter((f) => f in item);
    if (kept.length) problems.push(`tombstone keeps ${kept.join(", ")}`);
    return problems;
  }
  if (item.status !== "active") problems.push(`status ${item.status}`);
  if (!newest && !pages.length) problems.push("record nobody asked for");
  const want = newest ? view(profileAt(user, newest)) : view({});
  const have = view(item);
  if (JSON.stringify(have) !== JSON.stringify(want)) {
    problems.push(`profile ${JSON.stringify(have)}, newest accepted is ` +
      `${JSON.stringify(want)}`);
  }
  const clerkUpdatedAt = newest ? updatedAtOf(newest.version) : undefined;
  if (item.clerkUpdatedAt !== clerkUpdatedAt) {
    problems.push(`clerkUpdatedAt ${item.clerkUpdatedAt}, want ` +
      `${clerkUpdatedAt}`);
  }
  return [...problems, ...membershipViolations(user, item, seen, items)];
}

/** A profile with the email cut to its local part, safe to print. */
function view(profile: Record<string, any>) {
  return {
    email: profile.email?.split("@")[0],
    firstName: profile.firstName,
    lastName: profile.lastName,
  };
}

function membershipViolations(
  user: number,
  item: Record<string, any>,
  seen: Observed,
  items: Map<string, Record<string, any>>,
): string[] {
  const { customerId, truth } = seen.stripe[user] ?? {};
  const problems: string[] = [];
  if (item.stripeCustomerId !== customerId) {
    problems.push(
      `Stripe customer ${item.stripeCustomerId}, want ${customerId}`,
    );
  }
  if (customerId) {
    const link = items.get(linkKey(customerId));
    if (link?.ownerUserId !== seen.userIds[user]) problems.push("no link item");
  }
  const stored = {
    membership: item.membership,
    subscriptionId: item.stripeSubscriptionId,
    status: item.subscriptionStatus,
    currentPeriodEnd: item.currentPeriodEnd,
    cancelAtPeriodEnd: item.cancelAtPeriodEnd,
  };
  const want = truth
    ? {
        membership: truth.membership,
        subscriptionId: truth.subscriptionId,
        status: truth.status,
        currentPeriodEnd: truth.currentPeriodEnd,
        cancelAtPeriodEnd: truth.cancelAtPeriodEnd,
      }
    : { membership: "free" };
  const differ = Object.entries(want).filter(
    ([key, value]) => stored[key as keyof typeof stored] !== value,
  );
  const extra = truth
    ? []
    : Object.entries(stored).filter(
        ([key, value]) => key !== "membership" && value !== undefined,
      );
  if (differ.length || extra.length) {
    problems.push(
      `Stripe state ${JSON.stringify(stored)}, Stripe says ` +
        JSON.stringify(want),
    );
  }
  return problems;
}

/** Items that belong to no user of the schedule or to the wrong one. */
function strayItems(
  seen: Observed,
  items: Map<string, Record<string, any>>,
): string[] {
  const owners = new Map<string, string>();
  seen.stripe.forEach(({ customerId }, user) => {
    if (customerId) owners.set(linkKey(customerId), seen.userIds[user]!);
  });
  const users = new Set(seen.userIds);
  const found: string[] = [];
  for (const [key, item] of items) {
    if (users.has(key)) continue;
    if (!owners.has(key)) found.push(`stray item ${key}`);
    else if (owners.get(key) !== item.ownerUserId) {
      found.push(`${key} points at ${item.ownerUserId}`);
    }
  }
  return found;
}

/**
 * Every accepted event has an "applied" line, or waits in the DLQ for
 * the one reason the product leaves it there: its Stripe customer was
 * never linked because the user was deleted first, so nobody owns it.
 */
function unaccounted(
  seen: Observed,
  accepted: Set<string>,
  items: Map<string, Record<string, any>>,
  tombstoned: boolean[],
): string[] {
  const orphaned = new Set<string>();
  seen.stripe.forEach(({ customerId }, user) => {
    if (customerId && tombstoned[user] && !items.has(linkKey(customerId))) {
      orphaned.add(customerId);
    }
  });
  const found: string[] = [];
  const parked = new Set<string>();
  for (const letter of seen.deadLetters) {
    const allowed =
      letter.stripeCustomerId !== undefined &&
      orphaned.has(letter.stripeCustomerId);
    if (allowed && letter.eventId) parked.add(letter.eventId);
    else found.push(`dead letter ${letter.eventId ?? "without id"}`);
  }
  for (const eventId of accepted) {
    if (!seen.applied.has(eventId) && !parked.has(eventId)) {
      found.push(`${eventId} accepted, never applied`);
    }
  }
  return found;
}
