import { randomBytes } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type Stripe from "stripe";
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  inject,
  it,
} from "vitest";
import * as Customer from "@app/core/customer";
import {
  claim,
  confirmCheckout,
  ensureStripeCustomer,
  linkKey,
  membershipByStatus,
  startCheckout,
  stripeClient,
  syncMembership,
} from "@app/core/stripe";
import { InvalidInputError } from "@app/core/errors";
import { startPoller, type Poller } from "../../local/src/poller.js";
import { ensureQueues } from "../../local/src/resources.js";
import {
  startStripeStandIn,
  type StripeStandIn,
} from "../../local/src/stripe-api/index.js";
import { createHandler as createStripeWebhook } from "../src/stripe-webhook.js";
import { stripeWebhookConfig } from "../src/stripe-webhook-config.js";
import {
  eventually,
  useLocalAws,
  type TestAws,
} from "../../../test/support/aws.js";
import { fixtureJson } from "../../../test/support/fixtures.js";
import { clearLogs, logLines } from "../../../test/support/logs.js";
import { stripeRequest } from "../../../test/support/webhook.js";

const secret = "whsec_stripe_pipeline_test_0123456789";
let aws: TestAws;
let standIn: StripeStandIn;
let stripe: Stripe;
let poller: Poller;
let webhook: ReturnType<typeof createStripeWebhook>;

beforeAll(async () => {
  aws = await useLocalAws({ visibilityTimeoutSeconds: 1 });
  // Events are kept, not posted: each test delivers them itself, in the
  // order (and as often) it wants.
  standIn = await startStripeStandIn({
    deliver: "manual",
    webhook: { url: "http://localhost:9/unused", secret },
  });
  stripe = stripeClient({ secretKey: standIn.secretKey, apiUrl: standIn.url });
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: standIn.secretKey,
    STRIPE_API_URL: standIn.url,
  });
  webhook = createStripeWebhook(() =>
    stripeWebhookConfig({
      STRIPE_WEBHOOK_SECRET: secret,
      PROVISION_QUEUE_URL: aws.queues.queueUrl,
    }),
  );
  // The consumer as the Lambda runtime loads it, configured by environment.
  const { handler: provision } = await import("../src/provision.js");
  poller = startPoller({
    client: aws.sqs,
    queueUrl: aws.queues.queueUrl,
    handler: (event) => provision(event),
    waitTimeSeconds: 0,
  });
});

afterAll(async () => {
  await poller?.stop();
  await standIn?.stop();
});

beforeEach(() => clearLogs());

function newUserId() {
  return `user_${randomBytes(8).toString("hex")}`;
}

/** A signed-up user with a Stripe customer, as checkout leaves them. */
async function linkedUser() {
  const userId = newUserId();
  const { customer } = await Customer.ensure(userId, { createdBy: "page" });
  const stripeCustomerId = await ensureStripeCustomer(stripe, customer);
  return { userId, stripeCustomerId };
}

function request(event: Stripe.Event) {
  const { body, headers } = standIn.signedDelivery(event);
  return stripeRequest(body, headers);
}

/**
 * Delivers one event and waits for the consumer's line about it: the
 * queue's depth can read 0 for a moment before a message is received.
 */
async function deliver(event: Stripe.Event) {
  const done = () => handled(event.id).length;
  const before = done();
  const response = await webhook(request(event));
  expect(response.statusCode).toBe(200);
  await eventually(async () => (done() > before ? true : undefined));
}

function handled(eventId: string) {
  return logLines().filter(
    (line) =>
      line.eventId === eventId &&
      ["message applied", "unknown subscription status"].includes(line.message),
  );
}

async function settled() {
  await eventually(async () =>
    (await aws.queueDepth(aws.queues.queueUrl)) === 0 ? true : undefined,
  );
}

function lastEvent(type: string): Stripe.Event {
  const event = standIn.events().findLast((e) => e.type === type);
  if (!event) throw new Error(`no ${type} event`);
  return event;
}

function applied(userId: string) {
  return logLines().filter(
    (line) =>
      line.userId === userId &&
      ["message applied", "unknown subscription status"].includes(line.message),
  );
}

describe("membership follows the subscription status", () => {
  const rows = Object.entries(membershipByStatus);

  it.each(rows)("%s makes a pro member %s", async (status, membership) => {
    const { userId, stripeCustomerId } = await linkedUser();
    const sub = standIn.createSubscription(stripeCustomerId, { status: "active" });
    await deliver(lastEvent("customer.subscription.created"));
    expect((await Customer.get(userId)).membership).toBe("pro");
    standIn.setSubscriptionStatus(sub.id, status);
    await deliver(standIn.events().at(-1)!);
    expect(await Customer.get(userId)).toMatchObject({
      membership,
      subscriptionStatus: status,
      stripeSubscriptionId: sub.id,
    });
  });

  it("keeps membership for a status it does not know, and warns", async () => {
    const { userId, stripeCustomerId } = await linkedUser();
    const sub = standIn.createSubscription(stripeCustomerId, { status: "active" });
    await deliver(lastEvent("customer.subscription.created"));
    standIn.setSubscriptionStatus(sub.id, "on_hold");
    await deliver(standIn.events().at(-1)!);
    expect(await Customer.get(userId)).toMatchObject({
      membership: "pro",
      subscriptionStatus: "on_hold",
    });
    const warning = logLines().find(
      (line) => line.message === "unknown subscription status",
    );
    expect(warning).toMatchObject({
      level: "WARN",
      userId,
      unknownStatus: "on_hold",
      eventId: standIn.events().at(-1)!.id,
    });
  });
});

describe("event order does not matter", () => {
  it("ends pro after updated (active), created (incomplete), checkout completed", async () => {
    const { userId, stripeCustomerId } = await linkedUser();
    const sub = standIn.createSubscription(stripeCustomerId, {
      status: "incomplete",
      metadata: { userId },
    });
    const created = lastEvent("customer.subscription.created");
    standIn.setSubscriptionStatus(sub.id, "active");
    const updated = lastEvent("customer.subscription.updated");
    // A real-format completed session for this customer and subscription.
    const completed = fixtureJson<Stripe.Event>(
      "stripe/checkout-session-completed.2023-08-16.json",
    );
    Object.assign(completed.data.object, {
      customer: stripeCustomerId,
      subscription: sub.id,
      client_reference_id: userId,
    });
    completed.id = `evt_${randomBytes(12).toString("hex")}`;

    await deliver(updated);
    await deliver(created);
    await deliver(completed);
    expect(await Customer.get(userId)).toMatchObject({
      membership: "pro",
      subscriptionStatus: "active",
      stripeSubscriptionId: sub.id,
    });
  });

  it("stays free when a late, older updated (active) follows deleted", async () => {
    const { userId, stripeCustomerId } = await linkedUser();
    const sub = standIn.createSubscription(stripeCustomerId, { status: "active" });
    standIn.setSubscriptionStatus(sub.id, "active");
    const olderUpdate = lastEvent("customer.subscription.updated");
    await stripe.subscriptions.cancel(sub.id);
    await deliver(lastEvent("customer.subscription.deleted"));
    await deliver(olderUpdate);
    expect(await Customer.get(userId)).toMatchObject({
      membership: "free",
      subscriptionStatus: "canceled",
    });
  });

  it("writes once when the same event comes twice", async () => {
    const { userId, stripeCustomerId } = await linkedUser();
    standIn.createSubscription(stripeCustomerId, { status: "active" });
    const event = lastEvent("customer.subscription.created");
    await deliver(event);
    const first = await Customer.get(userId);
    await deliver(event);
    const second = await Customer.get(userId);
    expect(second).toEqual(first);
    expect(applied(userId).map((line) => line.outcome)).toEqual([
      "synced",
      "unchanged",
    ]);
  });
});

describe("cancelling at period end", () => {
  it("keeps pro until the period ends, then frees the member", async () => {
    const { userId, stripeCustomerId } = await linkedUser();
    const sub = standIn.createSubscription(stripeCustomerId, { status: "active" });
    await deliver(lastEvent("customer.subscription.created"));
    await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    await deliver(lastEvent("customer.subscription.updated"));
    const cancelling = await Customer.get(userId);
    expect(cancelling).toMatchObject({
      membership: "pro",
      subscriptionStatus: "active",
      cancelAtPeriodEnd: true,
    });

    standIn.advanceClock(40 * 24 * 3600);
    await deliver(lastEvent("customer.subscription.deleted"));
    expect(await Customer.get(userId)).toMatchObject({
      membership: "free",
      subscriptionStatus: "canceled",
    });
  });
});

describe("resolving the user", () => {
  it("retries an event for a Stripe customer not yet linked, then applies it", async () => {
    const userId = newUserId();
    await Customer.ensure(userId, { createdBy: "page" });
    const unlinked = await stripe.customers.create({});
    standIn.createSubscription(unlinked.id, { status: "active" });
    const event = lastEvent("customer.subscription.created");
    const response = await webhook(request(event));
    expect(response.statusCode).toBe(200);

    const failures = () =>
      logLines().filter(
        (line) =>
          line.message === "message failed" &&
          line.data?.stripeCustomerId === unlinked.id,
      );
    await eventually(async () => (failures().length >= 2 ? true : undefined));
    expect(failures()[0]).toMatchObject({ level: "WARN", failure: "transient" });
    expect((await Customer.get(userId)).membership).toBe("free");

    expect(await claim(userId, unlinked.id)).toBe("claimed");
    await eventually(async () => (handled(event.id).length ? true : undefined));
    await settled();
    expect(await Customer.get(userId)).toMatchObject({
      membership: "pro",
      stripeCustomerId: unlinked.id,
    });
    expect(await aws.queueDepth(aws.queues.deadLetterUrl)).toBe(0);
  });

  it("links a Payment Link's customer from client_reference_id", async () => {
    const userId = newUserId();
    await Customer.ensure(userId, { createdBy: "page" });
    const fromLink = await stripe.customers.create({});
    const sub = standIn.createSubscription(fromLink.id, { status: "active" });
    const completed = fixtureJson<Stripe.Event>(
      "stripe/checkout-session-completed.2023-08-16.json",
    );
    Object.assign(completed.data.object, {
      customer: fromLink.id,
      subscription: sub.id,
      client_reference_id: userId,
      metadata: {},
    });
    completed.id = `evt_${randomBytes(12).toString("hex")}`;
    await deliver(completed);
    expect(await Customer.get(userId)).toMatchObject({
      membership: "pro",
      stripeCustomerId: fromLink.id,
    });
    const link = await aws.db.send(
      new GetCommand({
        TableName: aws.table,
        Key: { userId: linkKey(fromLink.id) },
        ConsistentRead: true,
      }),
    );
    expect(link.Item).toMatchObject({ ownerUserId: userId });
  });

  it("leaves a tombstone as it is", async () => {
    const { userId, stripeCustomerId } = await linkedUser();
    await Customer.markDeleted(userId);
    const before = await Customer.get(userId);
    standIn.createSubscription(stripeCustomerId, { status: "active" });
    await deliver(lastEvent("customer.subscription.created"));
    expect(await Customer.get(userId)).toEqual(before);
    expect(applied(userId).map((line) => line.outcome)).toEqual(["tombstoned"]);
  });
});

describe("checkout", () => {
  it("creates one Stripe customer for a double click, and both get a URL", async () => {
    const userId = newUserId();
    const { customer } = await Customer.ensure(userId, { createdBy: "page" });
    const start = () =>
      startCheckout(stripe, {
        customer,
        priceId: standIn.priceId,
        successUrl: "http://localhost/checkout/success?session_id={CHECKOUT_SESSION_ID}",
        cancelUrl: "http://localhost/pricing",
      });
    const urls = await Promise.all([start(), start()]);
    expect(urls.every((url) => url.startsWith(`${standIn.url}/pay/`))).toBe(true);
    const mine = standIn
      .customers()
      .filter((c) => c.metadata?.userId === userId);
    expect(mine).toHaveLength(1);
    expect((await Customer.get(userId)).stripeCustomerId).toBe(mine[0]!.id);
    const sessions = standIn
      .checkoutSessions()
      .filter((s) => s.client_reference_id === userId);
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(session).toMatchObject({
        mode: "subscription",
        customer: mine[0]!.id,
        client_reference_id: userId,
      });
    }
  });

  it("reuses the customer of an unlinked first attempt after the email arrived", async () => {
    const userId = newUserId();
    const { customer } = await Customer.ensure(userId, { createdBy: "page" });
    // A first attempt created the customer at Stripe, then storage failed
    // before the link was written; Clerk's webhook then added the email.
    const first = await stripe.customers.create(
      { metadata: { userId } },
      { idempotencyKey: `customer-for-${userId}` },
    );
    await Customer.applyProfile(userId, {
      profile: { email: "late.arrival@example.test" },
      clerkUpdatedAt: Date.now(),
    });
    const again = await ensureStripeCustomer(stripe, await Customer.get(userId));
    expect(again).toBe(first.id);
    expect(customer.stripeCustomerId).toBeUndefined();
    expect((await Customer.get(userId)).stripeCustomerId).toBe(first.id);
  });

  it("syncs on the success page before any webhook; refuses others' sessions", async () => {
    const userId = newUserId();
    const { customer } = await Customer.ensure(userId, { createdBy: "page" });
    const url = await startCheckout(stripe, {
      customer,
      priceId: standIn.priceId,
      successUrl: "http://localhost/s?session_id={CHECKOUT_SESSION_ID}",
      cancelUrl: "http://localhost/pricing",
    });
    const sessionId = url.split("/").at(-1)!;
    standIn.completeCheckout(sessionId);
    const linked = await Customer.get(userId);
    const result = await confirmCheckout(stripe, linked, sessionId);
    expect(result.outcome).toBe("synced");
    expect(await Customer.get(userId)).toMatchObject({
      membership: "pro",
      subscriptionStatus: "active",
    });

    const otherId = newUserId();
    const { customer: other } = await Customer.ensure(otherId, { createdBy: "page" });
    await expect(confirmCheckout(stripe, other, sessionId)).rejects.toThrow(
      InvalidInputError,
    );
    expect((await Customer.get(otherId)).membership).toBe("free");
  });
});

describe("both API shapes", () => {
  it.each(["item-period", "subscription-period"] as const)(
    "stores the period end when it sits on the %s",
    async (shape) => {
      const other = await startStripeStandIn({ subscriptionShape: shape });
      try {
        const client = stripeClient({ secretKey: other.secretKey, apiUrl: other.url });
        const userId = newUserId();
        const { customer } = await Customer.ensure(userId, { createdBy: "page" });
        const cus = await ensureStripeCustomer(client, customer);
        const sub = other.createSubscription(cus, { status: "active" });
        const raw = sub as unknown as {
          current_period_end?: number;
          items: { data: Array<{ current_period_end?: number }> };
        };
        const end =
          shape === "subscription-period"
            ? raw.current_period_end
            : raw.items.data[0]?.current_period_end;
        expect(end).toBeTypeOf("number");
        await syncMembership(client, userId, cus);
        expect((await Customer.get(userId)).currentPeriodEnd).toBe(
          new Date(end! * 1000).toISOString(),
        );
      } finally {
        await other.stop();
      }
    },
  );
});

describe("the queue message", () => {
  it("carries ids only, never the buyer's details", async () => {
    // A queue of its own, with no consumer, so the message stays to read.
    const suffix = randomBytes(4).toString("hex");
    const side = await ensureQueues(inject("sqsEndpoint"), {
      queue: `stripe-message-${suffix}`,
      deadLetter: `stripe-message-dlq-${suffix}`,
    });
    const sideWebhook = createStripeWebhook(() =>
      stripeWebhookConfig({
        STRIPE_WEBHOOK_SECRET: secret,
        PROVISION_QUEUE_URL: side.queueUrl,
      }),
    );
    const event = fixtureJson<Stripe.Event>(
      "stripe/checkout-session-completed.2023-08-16.json",
    );
    const response = await sideWebhook(request(event));
    expect(response.statusCode).toBe(200);
    const [message, ...rest] = await aws.drain(side.queueUrl);
    expect(rest).toHaveLength(0);
    const envelope = JSON.parse(message!.body);
    expect(envelope).toMatchObject({
      version: 1,
      source: "stripe",
      eventId: event.id,
      type: "checkout.session.completed",
    });
    expect(envelope.payload).toEqual({
      eventId: event.id,
      type: "checkout.session.completed",
      created: event.created,
      stripeCustomerId: "cus_OV8zF7RMsBo1K1",
      subscriptionId: "sub_1NiEd5CwEGCgBV8c3ON1VNaz",
    });
    expect(message!.body).not.toContain("@");
  });
});
