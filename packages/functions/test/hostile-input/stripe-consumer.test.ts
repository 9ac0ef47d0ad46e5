import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import * as Customer from "@app/core/customer";
import { linkKey } from "@app/core/stripe";
import { logLines } from "../../../../test/support/logs.js";
import { parkInDeadLetters, record, storedUser } from "./support.js";
import {
  checkoutEvent,
  eventId,
  invoiceEvent,
  linked,
  newEventId,
  nowSeconds,
  other,
  signedStripe,
  stripeEnvelope,
  subscriptionEvent,
  tombstoned,
  useStripeHostileSetup,
} from "./stripe-support.js";

/**
 * The consumer's Stripe rows of the hostile-input catalogue
 * (docs/hostile-input.md): correctly signed events it must refuse, and
 * Stripe messages the webhook would never queue. Each case checks what
 * the consumer reports and logs, and that the table (records and Stripe
 * links), the queue and the DLQ are exactly as they were.
 */

const hostile = useStripeHostileSetup();
const { setup, webhook, throughConsumer } = hostile;

const linkedEvent = (change?: (event: any) => void) =>
  subscriptionEvent(hostile.ids.linked, change);

type ConsumerCase = {
  input: string;
  body: () => string;
  /** What the consumer logs for it. */
  line: Record<string, unknown>;
};

/** Correctly signed events the webhook queues and the consumer refuses. */
const refusedEvents: ConsumerCase[] = [
  {
    input: "a subscription event for a Stripe customer no user is linked to",
    body: () => subscriptionEvent(hostile.ids.unlinked),
    line: {
      level: "WARN",
      failure: "transient",
      error: "UnavailableError",
      reason: "Stripe customer is not linked to a user yet",
    },
  },
  {
    input: "a completed checkout whose client_reference_id names a user with no record",
    body: () => checkoutEvent(hostile.ids.unlinked, "user_hostileNobodyAtAll1"),
    line: {
      level: "ERROR",
      failure: "transient",
      error: "NotFoundError",
      reason: "no customer record for the Stripe event yet",
    },
  },
  {
    input: "metadata naming a user without a Stripe customer, for a customer linked to another",
    body: () =>
      linkedEvent((e) => (e.data.object.metadata = { userId: storedUser })),
    line: {
      level: "ERROR",
      failure: "permanent",
      error: "InvalidInputError",
      reason: "Stripe customer conflicts with a stored link",
    },
  },
  {
    input: "a completed checkout whose client_reference_id names another linked user",
    body: () => checkoutEvent(hostile.ids.linked, other),
    line: {
      level: "ERROR",
      failure: "permanent",
      error: "InvalidInputError",
      reason: "event names another Stripe customer",
    },
  },
  {
    input: "metadata naming a linked user, for another user's Stripe customer",
    body: () =>
      subscriptionEvent(hostile.ids.other, (e) => {
        e.data.object.metadata = { userId: linked };
      }),
    line: {
      level: "ERROR",
      failure: "permanent",
      error: "InvalidInputError",
      reason: "event names another Stripe customer",
    },
  },
  {
    input: "a paid invoice whose subscription metadata names another linked user",
    body: () =>
      invoiceEvent(hostile.ids.linked, (e) => {
        e.data.object.subscription_details = { metadata: { userId: other } };
      }),
    line: {
      level: "ERROR",
      failure: "permanent",
      error: "InvalidInputError",
      reason: "event names another Stripe customer",
    },
  },
];

function validRef() {
  return {
    eventId,
    type: "customer.subscription.updated",
    created: nowSeconds(),
    stripeCustomerId: hostile.ids.linked.customer,
    subscriptionId: hostile.ids.linked.subscription,
  };
}

function messageWith(change: (ref: any) => void): string {
  const ref = validRef();
  change(ref);
  return JSON.stringify(stripeEnvelope(ref));
}

const notEvent = "payload does not match its event schema";

/** Stripe messages the webhook would never queue. */
const hostileMessages: Array<ConsumerCase & { fields: string[] }> = [
  ...([
    [
      "no stripeCustomerId",
      (r: any) => delete r.stripeCustomerId,
      ["stripeCustomerId"],
    ],
    [
      "a stripeCustomerId in upper case",
      (r: any) => (r.stripeCustomerId = r.stripeCustomerId.toUpperCase()),
      ["stripeCustomerId"],
    ],
    [
      "a stripeCustomerId that is a link key",
      (r: any) => (r.stripeCustomerId = linkKey(r.stripeCustomerId)),
      ["stripeCustomerId"],
    ],
    [
      "an eventId without evt_",
      (r: any) => (r.eventId = "msg_notStripe1"),
      ["eventId"],
    ],
    ["an untracked type", (r: any) => (r.type = "customer.deleted"), ["type"]],
    [
      "a userId prefix in upper case",
      (r: any) => (r.userId = linked.replace("user_", "USER_")),
      ["userId"],
    ],
    ["a negative created", (r: any) => (r.created = -1), ["created"]],
    [
      "a subscriptionId with a path",
      (r: any) => (r.subscriptionId = `${r.subscriptionId}/../sub_other`),
      ["subscriptionId"],
    ],
  ] as const).map(([what, change, fields]) => ({
    input: `a Stripe payload with ${what}`,
    body: () => messageWith(change),
    line: { failure: "permanent", reason: notEvent },
    fields: [...fields],
  })),
  {
    input: "a Stripe payload whose ids all sit under __proto__",
    body: () =>
      JSON.stringify(stripeEnvelope("REF")).replace(
        '"REF"',
        `{"__proto__":${JSON.stringify(validRef())}}`,
      ),
    line: { failure: "permanent", reason: notEvent },
    fields: ["eventId", "type", "created", "stripeCustomerId"],
  },
];

describe("provision consumer, hostile Stripe events", () => {
  it.each(refusedEvents.map((c) => [c.input, c] as const))(
    "queues %s, and the consumer fails it and writes nothing",
    async (_, hostile) => {
      const { response, queued, consumed, consumerLines } =
        await throughConsumer(hostile.body());

      expect(response.statusCode).toBe(200);
      expect(queued).toHaveLength(1);
      expect(consumed.batchItemFailures).toEqual([
        { itemIdentifier: "stripe-0" },
      ]);
      expect(consumerLines).toEqual([
        expect.objectContaining({
          message: "message failed",
          messageId: "stripe-0",
          receiveCount: 1,
          ...hostile.line,
        }),
      ]);
      await setup.expectNothingChanged();
    },
  );

  it("applies an event for a tombstoned user's Stripe customer as tombstoned and writes nothing", async () => {
    const { response, consumed, consumerLines } = await throughConsumer(
      subscriptionEvent(hostile.ids.tombstoned),
    );

    expect(response.statusCode).toBe(200);
    expect(consumed.batchItemFailures).toEqual([]);
    expect(consumerLines).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "message applied",
        userId: tombstoned,
        outcome: "tombstoned",
      }),
    ]);
    await setup.expectNothingChanged();
  });

  it.each(hostileMessages.map((c) => [c.input, c] as const))(
    "fails %s as permanent and writes nothing",
    async (_, hostile) => {
      const body = hostile.body();

      const response = await setup.provision({
        Records: [record(body, "hostile-stripe")],
      });

      expect(response.batchItemFailures).toEqual([
        { itemIdentifier: "hostile-stripe" },
      ]);
      const failures = logLines().filter(
        (line) => line.message === "message failed",
      );
      expect(failures).toEqual([
        expect.objectContaining({
          level: "ERROR",
          error: "InvalidInputError",
          messageId: "hostile-stripe",
          ...hostile.line,
        }),
      ]);
      expect(failures[0]!.data.fields).toEqual(hostile.fields);
      await setup.expectNothingChanged();
    },
  );

  it("parks every refused Stripe message in the DLQ with its body unchanged", async () => {
    const bodies: string[] = [];
    for (const hostile of refusedEvents) {
      await webhook(signedStripe(hostile.body()));
      bodies.push(...(await setup.takeQueued()));
    }
    bodies.push(...hostileMessages.map((c) => c.body()));
    const parked = await parkInDeadLetters(setup, bodies);

    expect(bodies).toHaveLength(refusedEvents.length + hostileMessages.length);
    expect(parked.sort()).toEqual([...bodies].sort());
    await setup.expectNothingChanged();
  });
});

describe("provision consumer, subscription statuses it does not know", () => {
  const statuses = [
    "on_hold",
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
  ];
  /** One user per status: each gets a Stripe customer of its own. */
  const newcomers = statuses.map((_, i) => `user_hostileUnknownStatus${i}`);

  afterAll(async () => {
    const { db, table } = setup.aws;
    for (const userId of newcomers) {
      const customer = await Customer.find(userId);
      const keys = [userId];
      if (customer?.stripeCustomerId) {
        keys.push(linkKey(customer.stripeCustomerId));
      }
      for (const key of keys) {
        await db.send(
          new DeleteCommand({ TableName: table, Key: { userId: key } }),
        );
      }
    }
  });

  it.each(statuses.map((status, i) => [status, newcomers[i]!] as const))(
    "keeps a pro member pro when Stripe reports the status %s, and warns",
    async (status, newcomer) => {
      const own = await hostile.linkedCustomer(newcomer, "active");
      const before = await Customer.get(newcomer);
      expect(before.membership).toBe("pro");
      hostile.standIn.setSubscriptionStatus(own.subscription, status);
      const body = subscriptionEvent(own, (e) => (e.id = newEventId()));

      const { response, consumed, consumerLines } = await throughConsumer(body);

      expect(response.statusCode).toBe(200);
      expect(consumed.batchItemFailures).toEqual([]);
      expect(consumerLines).toEqual([
        expect.objectContaining({
          level: "WARN",
          message: "unknown subscription status",
          userId: newcomer,
          unknownStatus: status,
          membership: "pro",
        }),
      ]);
      const after = await Customer.get(newcomer);
      const changed = ["subscriptionStatus", "stripeSyncedAt", "updatedAt"];
      const rest = (customer: Customer.Customer) =>
        Object.fromEntries(
          Object.entries(customer).filter(([key]) => !changed.includes(key)),
        );
      expect(rest(after)).toEqual(rest(before));
      expect(after.subscriptionStatus).toBe(status);
      expect(after.stripeSyncedAt).toBeGreaterThan(before.stripeSyncedAt!);
      const isNewcomers = (item: Record<string, unknown>) =>
        newcomers.includes(String(item.userId)) ||
        newcomers.includes(String(item.ownerUserId));
      const others = (await setup.aws.items()).filter(
        (item) => !isNewcomers(item),
      );
      expect(others).toEqual(setup.snapshot);
      expect(Object.keys(Object.prototype)).toEqual([]);
    },
  );
});
