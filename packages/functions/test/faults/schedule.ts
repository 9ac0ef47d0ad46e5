import fc from "fast-check";

/**
 * A fault schedule: what happens to a few users over a short timeline,
 * and what goes wrong around them. Everything here is plain data drawn
 * from the seed, so a failing schedule can be printed and replayed.
 *
 * Time is counted in slots: `slotCount` regular ones, each followed by
 * its gap, then the late slot. An attempt that is `held` arrives after
 * the queue has drained once, as a webhook retried hours later would.
 */

export const slotCount = 8;
export const lateSlot = slotCount;

export type Fate = "delivered" | "dropped" | "refused";
export type When = number | "held";
export type Attempt = { slot: When; fate: Fate };

export type ProfileSpec = {
  email: boolean;
  firstName: boolean;
  lastName: boolean;
};

export type ClerkEventPlan = {
  type: "user.created" | "user.updated" | "user.deleted";
  /** 0 for user.created, then one more per update; Clerk's order. */
  version: number;
  /** The slot in which the change happens in Clerk. */
  occurs: number;
  profile: ProfileSpec;
  attempts: Attempt[];
};

/** Statuses membership knows; an unknown one keeps the old membership. */
export const knownStatuses = [
  "active",
  "trialing",
  "past_due",
  "unpaid",
  "incomplete",
  "incomplete_expired",
  "canceled",
  "paused",
] as const;

export type StripeStep =
  | { kind: "status"; status: (typeof knownStatuses)[number] }
  | { kind: "cancel-at-period-end" }
  | { kind: "cancel" }
  | { kind: "resubscribe" };

/** Attempts for one Stripe event, `after` slots from its emission. */
export type StripeDelivery = Array<{ after: When; fate: Fate }>;

export type StripePlan = {
  /** Checkout from the site, or a Payment Link that names no customer. */
  via: "checkout" | "payment-link";
  starts: number;
  steps: Array<{ slot: number; step: StripeStep }>;
  /** The user's n-th Stripe event is delivered as `deliveries[n % len]`. */
  deliveries: StripeDelivery[];
};

export type UserPlan = {
  clerk: ClerkEventPlan[];
  /** Page loads; each runs `Customer.ensure` in `tabs` requests at once. */
  pages: Array<{ slot: number; tabs: number }>;
  stripe?: StripePlan;
};

/** DynamoDB refuses connections, then answers 500, then recovers. */
export type Outage = { from: number; resetSlots: number; errorSlots: number };

/** Product calls to DynamoDB are late by `delaysMs`, in turn. */
export type Slowness = { from: number; slots: number; delaysMs: number[] };

export type Schedule = {
  gapsMs: number[];
  users: UserPlan[];
  outages: Outage[];
  slowness: Slowness[];
  /** Consumer invocation i dies after `crashes[i]` records; null lives. */
  crashes: Array<number | null>;
  /** Concurrent consumers, each its own Lambda container. */
  consumers: 1 | 2;
  /** A month passes in Stripe: renewals, period-end cancellations. */
  clockAdvanceAt: number | null;
};

export function modeAt(schedule: Schedule, slot: number) {
  for (const outage of schedule.outages) {
    const offset = slot - outage.from;
    if (offset < 0) continue;
    if (offset < outage.resetSlots) return "reset" as const;
    if (offset < outage.resetSlots + outage.errorSlots) return "error" as const;
  }
  return "forward" as const;
}

export function slownessAt(schedule: Schedule, slot: number) {
  return schedule.slowness.find(
    (slow) => slot >= slow.from && slot < slow.from + slow.slots,
  );
}

/** The profile Clerk holds for `user` at `version`; no real person. */
export function profileAt(user: number, event: ClerkEventPlan) {
  const tag = `u${user}v${event.version}`;
  return {
    email: event.profile.email ? `${tag}@example.test` : undefined,
    firstName: event.profile.firstName ? `First${tag}` : undefined,
    lastName: event.profile.lastName ? `Last${tag}` : undefined,
  };
}

/** Clerk's `updated_at` for a version: strictly increasing. */
export function updatedAtOf(version: number): number {
  return Date.UTC(2025, 5, 1) + version * 60_000;
}

const weighted = <T>(...choices: Array<[number, T]>) =>
  fc.oneof(
    ...choices.map(([weight, value]) => ({
      weight,
      arbitrary: fc.constant(value),
    })),
  );

const fate = weighted<Fate>([5, "delivered"], [2, "dropped"], [1, "refused"]);

const delay = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constant("held" as const) },
);

const attempts = fc.array(fc.record({ delay, fate }), {
  minLength: 1,
  maxLength: 3,
});

const profile = fc.record({
  email: weighted([4, true], [1, false]),
  firstName: fc.boolean(),
  lastName: fc.boolean(),
});

const change = fc.record({
  gap: fc.integer({ min: 0, max: 2 }),
  profile,
  attempts,
});

const clerkLife = fc.record({
  createdAt: fc.integer({ min: 0, max: 3 }),
  created: fc.record({ profile, attempts }),
  updates: fc.array(change, { maxLength: 3 }),
  deletion: fc.option(change, { nil: undefined, freq: 2 }),
});

// `active` comes up as often as the others together, so a status often
// goes back to what the record already holds, as after a card retry.
const status = fc.oneof(
  { weight: 7, arbitrary: fc.constant("active" as const) },
  { weight: 7, arbitrary: fc.constantFrom(...knownStatuses) },
);

const stripeStep: fc.Arbitrary<StripeStep> = fc.oneof(
  {
    weight: 4,
    arbitrary: status.map((status) => ({ kind: "status" as const, status })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ kind: "cancel-at-period-end" as const }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "cancel" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "resubscribe" as const }) },
);

const stripeDelivery = fc
  .array(
    fc.record({
      after: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
        { weight: 1, arbitrary: fc.constant("held" as const) },
      ),
      fate,
    }),
    { minLength: 1, maxLength: 3 },
  )
  // Stripe retries for days until it is answered 2xx: some attempt of
  // every event is delivered (a lost one is a limitation, not a fault).
  .map((list) =>
    list.some((attempt) => attempt.fate === "delivered")
      ? list
      : [...list.slice(0, -1), { ...list.at(-1)!, fate: "delivered" as const }],
  );

const stripeLife = fc.record({
  via: weighted<StripePlan["via"]>([3, "checkout"], [1, "payment-link"]),
  // Deleting a Payment Link's payer before the link is made parks their
  // later events in the DLQ for good, which costs two 5 s drains.
  payerDeleted: weighted([1, true], [14, false]),
  startGap: fc.integer({ min: 0, max: 3 }),
  steps: fc.array(
    fc.record({ gap: fc.integer({ min: 0, max: 1 }), step: stripeStep }),
    { maxLength: 4 },
  ),
  deliveries: fc.array(stripeDelivery, { minLength: 1, maxLength: 6 }),
});

const pageLoads = fc.array(
  fc.record({
    gap: fc.integer({ min: 0, max: slotCount - 1 }),
    tabs: fc.integer({ min: 1, max: 3 }),
  }),
  { maxLength: 3 },
);

const userArb: fc.Arbitrary<UserPlan> = fc
  .record({
    clerk: clerkLife,
    pages: pageLoads,
    stripe: fc.option(stripeLife, { nil: undefined, freq: 2 }),
  })
  .map(({ clerk, pages, stripe }) => {
    const last = slotCount - 1;
    const at = (slot: number) => Math.min(slot, last);
    const events: ClerkEventPlan[] = [];
    const plan = (
      type: ClerkEventPlan["type"],
      occurs: number,
      spec: { profile: ProfileSpec; attempts: typeof clerk.created.attempts },
    ) =>
      events.push({
        type,
        version: events.length,
        occurs,
        profile: spec.profile,
        attempts: spec.attempts.map(({ delay, fate }) => ({
          slot: delay === "held" ? delay : Math.min(occurs + delay, lateSlot),
          fate,
        })),
      });
    let occurs = clerk.createdAt;
    plan("user.created", occurs, clerk.created);
    for (const update of clerk.updates) {
      occurs = at(occurs + update.gap);
      plan("user.updated", occurs, update);
    }
    const keepsPayer = stripe?.via === "payment-link" && !stripe.payerDeleted;
    if (clerk.deletion && !keepsPayer) {
      occurs = at(occurs + clerk.deletion.gap);
      plan("user.deleted", occurs, clerk.deletion);
    }
    // A user acts on the site only while signed up in Clerk.
    const signedUp = clerk.createdAt;
    const deleted = events.at(-1)!.type === "user.deleted";
    const signedOut = deleted ? occurs : slotCount;
    const starts = signedUp + (stripe?.startGap ?? 0);
    let slot = starts;
    return {
      clerk: events,
      pages: pages
        .map((page) => ({ slot: signedUp + page.gap, tabs: page.tabs }))
        .filter((page) => page.slot < signedOut),
      stripe:
        stripe && starts < signedOut
          ? {
              via: stripe.via,
              starts,
              steps: stripe.steps.map(({ gap, step }) => {
                slot = at(slot + 1 + gap);
                return { slot, step };
              }),
              deliveries: stripe.deliveries,
            }
          : undefined,
    };
  });

const slotArb = fc.integer({ min: 0, max: slotCount - 1 });

export const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  gapsMs: fc.array(fc.integer({ min: 10, max: 120 }), {
    minLength: slotCount + 1,
    maxLength: slotCount + 1,
  }),
  users: fc.array(userArb, { minLength: 2, maxLength: 6 }),
  outages: fc.array(
    fc.record({
      from: slotArb,
      resetSlots: fc.integer({ min: 0, max: 3 }),
      errorSlots: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 2 },
  ),
  slowness: fc.array(
    fc.record({
      from: slotArb,
      slots: fc.integer({ min: 1, max: 4 }),
      // Mostly quick, sometimes a stall: a container paused between a
      // read and its write, or a throttled partition.
      delaysMs: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 0, max: 30 }) },
          { weight: 1, arbitrary: fc.integer({ min: 200, max: 700 }) },
        ),
        { minLength: 1, maxLength: 8 },
      ),
    }),
    { maxLength: 2 },
  ),
  crashes: fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }), {
    maxLength: 6,
  }),
  consumers: fc.constantFrom(1 as const, 2 as const),
  clockAdvanceAt: fc.option(slotArb, { nil: null, freq: 3 }),
});
