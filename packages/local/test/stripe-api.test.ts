import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { fixturesDir } from "../../../test/support/fixtures.js";
import { parseForm } from "../src/stripe-api/form.js";
import {
  startStripeStandIn,
  type SignedDelivery,
  type StripeStandIn,
  type StripeStandInOptions,
} from "../src/stripe-api/index.js";
import { addMonth } from "../src/stripe-api/objects.js";

const webhookSecret = "whsec_stand_in_test_secret";
const day = 24 * 60 * 60;
const running: Array<{ stop(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((part) => part.stop()));
});

async function start(options: StripeStandInOptions = {}) {
  const started = await startStripeStandIn(options);
  running.push(started);
  return { standIn: started, stripe: sdk(started) };
}

function sdk(standIn: StripeStandIn, key = standIn.secretKey) {
  return new Stripe(key, { ...standIn.sdkOptions, maxNetworkRetries: 0 });
}

/** A webhook endpoint that keeps what it receives. */
async function receiver(status = 200) {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(endpoint);
  return endpoint;
}

/** Opens a hosted page and submits its form, as a browser would. */
async function submitPage(pageUrl: string, testId: string, fields = {}) {
  const page = await fetch(pageUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const forms = html.split("<form").slice(1);
  const form = forms.find((text) => text.includes(`data-testid="${testId}"`));
  expect(form, `a form with ${testId}`).toBeDefined();
  const action = /action="([^"]+)"/.exec(form!)![1]!;
  const hidden = [...form!.matchAll(/name="(\w+)" value="([^"]*)"/g)];
  const body = new URLSearchParams({
    ...Object.fromEntries(hidden.map((m) => [m[1]!, m[2]!])),
    ...fields,
  });
  return fetch(new URL(action, pageUrl), {
    method: "POST",
    body,
    redirect: "manual",
  });
}

async function checkoutFor(stripe: Stripe, standIn: StripeStandIn) {
  const customer = await stripe.customers.create({
    email: "buyer@example.test",
    metadata: { userId: "user_buyer" },
  });
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    customer: customer.id,
    client_reference_id: "user_buyer",
    line_items: [{ price: standIn.priceId, quantity: 1 }],
    subscription_data: { metadata: { userId: "user_buyer" } },
    metadata: { userId: "user_buyer" },
    success_url: "http://localhost:3000/billing/done?id={CHECKOUT_SESSION_ID}",
    cancel_url: "http://localhost:3000/pricing",
  });
  return { customer, session };
}

describe("the object templates", () => {
  it("are byte-for-byte copies of the shared Stripe fixtures", () => {
    const shared = join(fixturesDir, "stripe/objects");
    const copies = new URL("../src/stripe-api/objects/", import.meta.url);
    const names = readdirSync(shared).sort();
    expect(readdirSync(copies).sort()).toEqual(names);
    for (const name of names) {
      const copy = readFileSync(new URL(name, copies));
      expect(copy.equals(readFileSync(join(shared, name))), name).toBe(true);
    }
  });
});

describe("parseForm", () => {
  it("nests brackets and turns indexed keys into arrays", () => {
    const form = parseForm(
      "metadata[userId]=user_1&line_items[0][price]=price_1" +
        "&line_items[0][quantity]=2&expand[0]=subscription&expand[]=customer",
    );
    expect(form).toEqual({
      metadata: { userId: "user_1" },
      line_items: [{ price: "price_1", quantity: "2" }],
      expand: ["subscription", "customer"],
    });
  });

  it("refuses names that would reach the object prototype", () => {
    expect(() => parseForm("__proto__[polluted]=1")).toThrow(/Invalid/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("addMonth", () => {
  it("keeps the day of the month, or takes the month's last day", () => {
    const at = (date: string) => Date.parse(`${date}T10:30:00Z`) / 1000;

    expect(addMonth(at("2025-01-15"))).toBe(at("2025-02-15"));
    expect(addMonth(at("2025-01-31"))).toBe(at("2025-02-28"));
    expect(addMonth(at("2024-12-31"))).toBe(at("2025-01-31"));
  });
});

describe("customers", () => {
  it("creates and retrieves a customer with the real SDK", async () => {
    const { stripe } = await start();

    const created = await stripe.customers.create({
      email: "someone@example.test",
      name: "Some One",
      metadata: { userId: "user_1" },
    });
    const fetched = await stripe.customers.retrieve(created.id);

    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(created.lastResponse.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(fetched).toMatchObject({
      id: created.id,
      object: "customer",
      email: "someone@example.test",
      name: "Some One",
      metadata: { userId: "user_1" },
      livemode: false,
    });
  });

  it("replays a create sent again with the same idempotency key", async () => {
    const { standIn, stripe } = await start();
    const params = { email: "someone@example.test" };

    const first = await stripe.customers.create(params, {
      idempotencyKey: "key-1",
    });
    const again = await stripe.customers.create(params, {
      idempotencyKey: "key-1",
    });

    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(standIn.customers()).toHaveLength(1);
    const create = { method: "POST", path: "/v1/customers" };
    expect(standIn.requests()).toEqual([
      { ...create, idempotencyKey: "key-1", replayed: false },
      { ...create, idempotencyKey: "key-1", replayed: true },
    ]);
  });

  it("refuses a key reused with other parameters (400 idempotency_error)", async () => {
    const { standIn, stripe } = await start();
    await stripe.customers.create(
      { email: "someone@example.test" },
      { idempotencyKey: "key-1" },
    );

    const reuse = stripe.customers.create(
      { email: "other@example.test" },
      { idempotencyKey: "key-1" },
    );

    await expect(reuse).rejects.toMatchObject({
      type: "StripeIdempotencyError",
      rawType: "idempotency_error",
      statusCode: 400,
    });
    expect(standIn.customers()).toHaveLength(1);
  });

  it("creates one customer for two concurrent creates with one key", async () => {
    const { standIn, stripe } = await start();
    const create = () =>
      stripe.customers.create(
        { email: "someone@example.test", metadata: { userId: "user_1" } },
        { idempotencyKey: "checkout-user_1" },
      );

    const [a, b] = await Promise.all([create(), create()]);

    expect(a.id).toBe(b.id);
    expect(standIn.customers()).toHaveLength(1);
    const replays = standIn.requests().map((request) => request.replayed);
    expect(replays.sort()).toEqual([false, true]);
  });

  it("answers a deleted customer with Stripe's deleted object", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const subscription = standIn.createSubscription(customer.id);

    await stripe.customers.del(customer.id);

    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({
      id: customer.id,
      object: "customer",
      deleted: true,
    });
    expect(standIn.subscription(subscription.id)?.status).toBe("canceled");
  });
});

describe("errors", () => {
  it("answers 401 with Stripe's error JSON to a wrong or missing key", async () => {
    const { standIn } = await start();

    const wrongKey = await sdk(standIn, "sk_test_wrong")
      .customers.create({})
      .catch((error: unknown) => error);
    const noKey = await fetch(`${standIn.url}/v1/customers`, {
      method: "POST",
    });

    expect(wrongKey).toMatchObject({
      type: "StripeAuthenticationError",
      statusCode: 401,
      code: "api_key_invalid",
    });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("request-id")).toMatch(/^req_/);
    expect(await noKey.json()).toEqual({
      error: {
        type: "invalid_request_error",
        message: expect.stringContaining("API key"),
      },
    });
    expect(standIn.customers()).toHaveLength(0);
  });

  it("answers 404 resource_missing for an id it does not know", async () => {
    const { stripe } = await start();

    const requests = [
      () => stripe.customers.retrieve("cus_unknown"),
      () => stripe.subscriptions.retrieve("sub_unknown"),
      () =>
        stripe.subscriptions.update("sub_unknown", {
          cancel_at_period_end: true,
        }),
    ];

    for (const request of requests) {
      await expect(request()).rejects.toMatchObject({
        type: "StripeInvalidRequestError",
        statusCode: 404,
        code: "resource_missing",
        param: "id",
      });
    }
  });

  it("answers 400 naming the parameter that is missing, wrong or unknown", async () => {
    const { standIn, stripe } = await start();
    const valid: Stripe.Checkout.SessionCreateParams = {
      mode: "subscription",
      line_items: [{ price: standIn.priceId, quantity: 1 }],
    };
    const attempts = [
      { params: { mode: "subscription" }, param: "line_items" },
      {
        params: { ...valid, line_items: [{ price: "price_nope" }] },
        param: "line_items[0][price]",
      },
      {
        params: { ...valid, success_url: "javascript:alert(1)" },
        param: "success_url",
      },
      { params: { ...valid, colour: "blue" }, param: "colour" },
    ];

    for (const { params, param } of attempts) {
      const create = stripe.checkout.sessions.create(
        params as Stripe.Checkout.SessionCreateParams,
      );
      await expect(create, param).rejects.toMatchObject({
        type: "StripeInvalidRequestError",
        statusCode: 400,
        param,
      });
    }
  });
});

describe("checkout", () => {
  it("creates an open session whose url is the hosted payment page", async () => {
    const { standIn, stripe } = await start();

    const { customer, session } = await checkoutFor(stripe, standIn);

    expect(session).toMatchObject({
      object: "checkout.session",
      mode: "subscription",
      status: "open",
      payment_status: "unpaid",
      customer: customer.id,
      client_reference_id: "user_buyer",
      amount_total: 2000,
      currency: "usd",
      subscription: null,
      url: `${standIn.url}/pay/${session.id}`,
    });
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
  });

  it("pays on the hosted page: an active subscription, events in order, signed deliveries", async () => {
    const endpoint = await receiver();
    const webhook = { url: endpoint.url, secret: webhookSecret };
    const { standIn, stripe } = await start({ webhook });
    const { session } = await checkoutFor(stripe, standIn);

    const paid = await submitPage(session.url!, "stripe-pay");
    const after = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["subscription"],
    });

    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(
      `http://localhost:3000/billing/done?id=${session.id}`,
    );
    expect(after).toMatchObject({
      status: "complete",
      payment_status: "paid",
      url: null,
    });
    const subscription = after.subscription as Stripe.Subscription;
    const item = subscription.items.data[0]!;
    expect(subscription).toMatchObject({
      status: "active",
      customer: session.customer,
      metadata: { userId: "user_buyer" },
    });
    expect(item.price.id).toBe(standIn.priceId);
    const period = item.current_period_end - item.current_period_start;
    expect(period).toBeGreaterThanOrEqual(28 * day);
    expect(period).toBeLessThanOrEqual(31 * day);

    const types = standIn.events().map((event) => event.type);
    expect(types).toEqual([
      "customer.created",
      "customer.subscription.created",
      "invoice.paid",
      "checkout.session.completed",
    ]);
    await standIn.settled();
    const delivered = endpoint.received.map(({ body, headers }) =>
      stripe.webhooks.constructEvent(
        body,
        headers["stripe-signature"] as string,
        webhookSecret,
      ),
    );
    expect(delivered.map((event) => event.id)).toEqual(
      standIn.events().map((event) => event.id),
    );
    const statuses = standIn.deliveries().map((delivery) => delivery.status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  it("makes one subscription when the page is submitted twice", async () => {
    const { standIn, stripe } = await start();
    const { session } = await checkoutFor(stripe, standIn);

    const first = await submitPage(session.url!, "stripe-pay");
    const second = await fetch(session.url!, {
      method: "POST",
      redirect: "manual",
    });

    expect(second.status).toBe(303);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(standIn.subscriptions()).toHaveLength(1);
    const created = standIn
      .events()
      .filter((event) => event.type === "customer.subscription.created");
    expect(created).toHaveLength(1);
  });

  it("creates the customer at payment when the session names none", async () => {
    const { standIn, stripe } = await start();
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      client_reference_id: "user_link",
      line_items: [{ price: standIn.priceId }],
    });

    const paid = await submitPage(session.url!, "stripe-pay", {
      email: "link@example.test",
    });
    const after = await stripe.checkout.sessions.retrieve(session.id);

    expect(paid.status).toBe(200);
    expect(after.customer).toMatch(/^cus_/);
    expect(after.client_reference_id).toBe("user_link");
    expect(after.customer_details?.email).toBe("link@example.test");
    const emails = standIn.customers().map((customer) => customer.email);
    expect(emails).toEqual(["link@example.test"]);
  });
});

describe("subscriptions", () => {
  it("lists a customer's subscriptions, canceled ones only with status=all", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const other = await stripe.customers.create({});
    const older = standIn.createSubscription(customer.id);
    const newer = standIn.createSubscription(customer.id);
    standIn.createSubscription(other.id);
    await stripe.subscriptions.cancel(older.id);

    const current = await stripe.subscriptions.list({ customer: customer.id });
    const all = await stripe.subscriptions.list({
      customer: customer.id,
      status: "all",
    });

    expect(current.data.map((s) => s.id)).toEqual([newer.id]);
    expect(all.data.map((s) => [s.id, s.status])).toEqual([
      [newer.id, "active"],
      [older.id, "canceled"],
    ]);
  });

  it("cancels at period end, then ends the subscription once the clock passes it", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    const scheduled = await stripe.subscriptions.update(id, {
      cancel_at_period_end: true,
    });
    const periodEnd = scheduled.items.data[0]!.current_period_end;
    standIn.advanceClock(periodEnd - standIn.now() + 1);

    expect(scheduled).toMatchObject({
      status: "active",
      cancel_at_period_end: true,
      cancel_at: periodEnd,
    });
    const updated = standIn.events().at(-2)!;
    expect(updated.type).toBe("customer.subscription.updated");
    expect(updated.data.previous_attributes).toMatchObject({
      cancel_at_period_end: false,
    });
    expect(updated.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
    const deleted = standIn.events().at(-1)!;
    expect(deleted.type).toBe("customer.subscription.deleted");
    expect(deleted.data.object).toMatchObject({ id, status: "canceled" });
    expect(standIn.subscription(id)).toMatchObject({
      status: "canceled",
      ended_at: periodEnd,
    });
  });

  it("renews an active subscription whose period has passed", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const before = standIn.createSubscription(customer.id).items.data[0]!;

    standIn.advanceClock(before.current_period_end - standIn.now() + 1);

    const after = standIn.subscription(before.subscription)!;
    expect(after.status).toBe("active");
    expect(after.items.data[0]!.current_period_start).toBe(
      before.current_period_end,
    );
    expect(after.items.data[0]!.current_period_end).toBe(
      addMonth(before.current_period_end),
    );
    const [updated, invoicePaid] = standIn.events().slice(-2);
    expect(updated!.type).toBe("customer.subscription.updated");
    expect(invoicePaid!.type).toBe("invoice.paid");
    expect(invoicePaid!.data.object).toMatchObject({
      billing_reason: "subscription_cycle",
      status: "paid",
      amount_paid: 2000,
    });
  });

  it("cancels at once on DELETE and emits customer.subscription.deleted", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    const canceled = await stripe.subscriptions.cancel(id);

    expect(canceled.status).toBe("canceled");
    expect(canceled.ended_at).toBe(standIn.now());
    expect(standIn.events().at(-1)!.type).toBe("customer.subscription.deleted");
  });

  it("takes any status from setSubscriptionStatus, even one Stripe lacks", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    standIn.setSubscriptionStatus(id, "not_a_stripe_status");
    const fetched = await stripe.subscriptions.retrieve(id);
    standIn.setSubscriptionStatus(id, "paused");
    standIn.setSubscriptionStatus(id, "active");
    standIn.setSubscriptionStatus(id, "canceled");

    expect(fetched.status).toBe("not_a_stripe_status");
    const changes = standIn.events().slice(-4);
    expect(changes.map((event) => event.type)).toEqual([
      "customer.subscription.updated",
      "customer.subscription.paused",
      "customer.subscription.resumed",
      "customer.subscription.deleted",
    ]);
    expect(changes[0]!.data.previous_attributes).toMatchObject({
      status: "active",
    });
  });

  it("emits from setSubscriptionStatus even when the status is unchanged", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    standIn.setSubscriptionStatus(id, "active");

    const last = standIn.events().at(-1)!;
    expect(last.type).toBe("customer.subscription.updated");
    expect(last.data.object).toMatchObject({ id, status: "active" });
  });

  it("emits nothing for an API update that changes nothing", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);
    const before = standIn.events().length;

    await stripe.subscriptions.update(id, { cancel_at_period_end: false });

    expect(standIn.events()).toHaveLength(before);
  });

  it("puts the current period on the item by default (API 2025+)", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    const subscription = await stripe.subscriptions.retrieve(id);

    expect(subscription.items.data[0]!.current_period_end).toBeGreaterThan(
      standIn.now(),
    );
    expect(subscription).not.toHaveProperty("current_period_end");
    expect(standIn.events().at(-1)!.api_version).toBe(Stripe.API_VERSION);
  });

  it("puts the current period on the subscription in the pre-2025 shape", async () => {
    const { standIn, stripe } = await start({
      subscriptionShape: "subscription-period",
    });
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    // The SDK's types describe the 2025+ shape only.
    const subscription = (await stripe.subscriptions.retrieve(
      id,
    )) as unknown as { current_period_end: number; items: { data: object[] } };

    expect(subscription.current_period_end).toBeGreaterThan(standIn.now());
    expect(subscription.items.data[0]).not.toHaveProperty("current_period_end");
    expect(standIn.events().at(-1)!.api_version).toBe("2024-06-20");
  });
});

describe("billing portal", () => {
  it("shows the subscription, cancels it at period end and resumes it", async () => {
    const { standIn, stripe } = await start();
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);

    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: "http://localhost:3000/dashboard/billing",
    });
    const page = await (await fetch(portal.url)).text();
    const cancel = await submitPage(portal.url, "stripe-cancel-at-period-end");
    const afterCancel = standIn.subscription(id)!;
    const resume = await submitPage(portal.url, "stripe-resume");

    expect(portal).toMatchObject({
      object: "billing_portal.session",
      customer: customer.id,
      return_url: "http://localhost:3000/dashboard/billing",
      url: `${standIn.url}/portal/${portal.id}`,
    });
    expect(portal.id).toMatch(/^bps_/);
    const returnLink = /href="([^"]+)"\s+data-testid="stripe-portal-return"/;
    expect(returnLink.exec(page)?.[1]).toBe(
      "http://localhost:3000/dashboard/billing",
    );
    expect(page).not.toContain('data-testid="stripe-resume"');
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toBe(`/portal/${portal.id}`);
    expect(afterCancel.cancel_at_period_end).toBe(true);
    expect(resume.status).toBe(303);
    expect(standIn.subscription(id)!.cancel_at_period_end).toBe(false);
    const types = standIn.events().slice(-2).map((event) => event.type);
    expect(types).toEqual([
      "customer.subscription.updated",
      "customer.subscription.updated",
    ]);
  });
});

describe("webhook delivery", () => {
  it("posts each event once, in order, to a local endpoint", async () => {
    const endpoint = await receiver();
    const webhook = { url: endpoint.url, secret: webhookSecret };
    const { standIn, stripe } = await start({ webhook });
    const customer = await stripe.customers.create({});
    const { id } = standIn.createSubscription(customer.id);
    standIn.setSubscriptionStatus(id, "past_due");

    await standIn.settled();

    const ids = endpoint.received.map(({ body }) => JSON.parse(body).id);
    expect(ids).toEqual(standIn.events().map((event) => event.id));
    expect(standIn.deliveries()).toEqual(
      standIn.events().map((event) => ({
        eventId: event.id,
        type: event.type,
        status: 200,
      })),
    );
    expect(standIn.events().every((e) => e.pending_webhooks === 1)).toBe(true);
  });

  it("records failed deliveries and does not retry them", async () => {
    const failing = await receiver(500);
    const closed = await receiver();
    await closed.stop();
    const first = await start({
      webhook: { url: failing.url, secret: webhookSecret },
    });
    const second = await start({
      webhook: { url: closed.url, secret: webhookSecret },
    });

    await first.stripe.customers.create({});
    await first.stripe.customers.create({});
    await second.stripe.customers.create({});
    await Promise.all([first.standIn.settled(), second.standIn.settled()]);

    expect(first.standIn.deliveries().map((d) => d.status)).toEqual([500, 500]);
    expect(failing.received).toHaveLength(2);
    expect(second.standIn.deliveries().map((d) => d.status)).toEqual(["error"]);
  });

  it("only keeps events in manual mode, and signs one on request", async () => {
    const endpoint = await receiver();
    const webhook = { url: endpoint.url, secret: webhookSecret };
    const { standIn, stripe } = await start({ webhook, deliver: "manual" });
    await stripe.customers.create({});
    await standIn.settled();
    const event = standIn.events()[0]!;

    const fresh = standIn.signedDelivery(event);
    const stale = standIn.signedDelivery(event, {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const verify = (signed: SignedDelivery) =>
      stripe.webhooks.constructEvent(
        signed.body,
        signed.headers["stripe-signature"]!,
        webhookSecret,
      );

    expect(endpoint.received).toHaveLength(0);
    expect(standIn.deliveries()).toEqual([]);
    expect(event.pending_webhooks).toBe(0);
    expect(verify(fresh).id).toBe(event.id);
    expect(() => verify(stale)).toThrow(/tolerance/);
  });
});
