import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors/index.js";
import {
  createStripeVerifier,
  verifyStripeDelivery,
} from "../src/stripe/index.js";
import { fixtureJson, fixtureText } from "../../../test/support/fixtures.js";

const secret = "whsec_stripe_test_secret_0123456789";
const verifier = createStripeVerifier(secret);
const now = 1_760_000_000;

function delivery(body: string, header?: string) {
  return {
    headers: header === undefined ? {} : { "Stripe-Signature": header },
    body: Buffer.from(body),
  };
}

function sign(body: string, options: { at?: number; key?: string } = {}) {
  return Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.key ?? secret,
    timestamp: options.at ?? now,
  });
}

function verify(body: string, header?: string) {
  return verifyStripeDelivery(verifier, delivery(body, header), now * 1000);
}

const subscriptionUpdated = fixtureText(
  "stripe/customer-subscription-updated.2025-08-27.json",
);

describe("Stripe signature verification", () => {
  it("accepts Stripe's scheme over the computed vector", () => {
    const vector = fixtureJson("stripe/signature-vectors.json").computed_vector;
    const verdict = verifyStripeDelivery(
      createStripeVerifier(vector.secret),
      delivery(vector.payload, vector.expected_header),
      vector.timestamp * 1000,
    );
    // The signature holds; the vector's event just has no type.
    expect(verdict).toEqual({
      kind: "rejected",
      status: 400,
      reason: "missing-event-type",
      eventId: undefined,
    });
  });

  it.each([
    [
      "checkout-session-completed.2023-08-16.json",
      "cus_OV8zF7RMsBo1K1",
      "sub_1NiEd5CwEGCgBV8c3ON1VNaz",
    ],
    [
      "customer-subscription-updated.2024-06-20.json",
      "cus_Nc4kL4EPtG5SKe",
      "sub_1Mqqb6Lt4dXK03v50OA219Ya",
    ],
    [
      "customer-subscription-updated.2025-08-27.json",
      "cus_T66xzarl5v73XN",
      "sub_1SAGUABe0ycHroRBHH0HMWOy",
    ],
    ["invoice-paid.2023-08-16.json", "cus_OV8zF7RMsBo1K1", "sub_1NiEd5CwEGCgBV8c3ON1VNaz"],
  ])("reduces %s to its ids", (file, customer, subscription) => {
    const body = fixtureText(`stripe/${file}`);
    const event = JSON.parse(body);
    const verdict = verify(body, sign(body));
    expect(verdict).toEqual({
      kind: "accepted",
      eventId: event.id,
      ref: {
        eventId: event.id,
        type: event.type,
        created: event.created,
        stripeCustomerId: customer,
        subscriptionId: subscription,
        // The fixtures carry no Clerk user id anywhere: the link decides.
        userId: undefined,
      },
    });
  });

  it("takes the user id from client_reference_id or metadata", () => {
    const event = fixtureJson("stripe/checkout-session-completed.2023-08-16.json");
    event.data.object.client_reference_id = "user_2abcDEF";
    const fromReference = JSON.stringify(event);
    expect(verify(fromReference, sign(fromReference))).toMatchObject({
      ref: { userId: "user_2abcDEF" },
    });
    const sub = fixtureJson("stripe/customer-subscription-updated.2025-08-27.json");
    sub.data.object.metadata = { userId: "user_2xyz" };
    const fromMetadata = JSON.stringify(sub);
    expect(verify(fromMetadata, sign(fromMetadata))).toMatchObject({
      ref: { userId: "user_2xyz" },
    });
  });

  it("ignores a reference that is not a Clerk user id", () => {
    const verdict = verify(
      fixtureText("stripe/checkout-session-completed.2023-08-16.json"),
      sign(fixtureText("stripe/checkout-session-completed.2023-08-16.json")),
    );
    // `cllnlqdff0d103i8tvi0yrx5b` is some other system's id.
    expect(verdict).toMatchObject({ kind: "accepted", ref: { userId: undefined } });
  });

  it("accepts a signature 299 s old and refuses one 301 s old", () => {
    expect(verify(subscriptionUpdated, sign(subscriptionUpdated, { at: now - 299 })))
      .toMatchObject({ kind: "accepted" });
    expect(verify(subscriptionUpdated, sign(subscriptionUpdated, { at: now - 301 })))
      .toMatchObject({ status: 401, reason: "timestamp-outside-window" });
  });

  it("refuses a signature from more than five minutes ahead", () => {
    expect(verify(subscriptionUpdated, sign(subscriptionUpdated, { at: now + 3600 })))
      .toMatchObject({ status: 401, reason: "timestamp-outside-window" });
  });

  it("accepts one good v1 among others, as during a secret roll", () => {
    const header = `${sign(subscriptionUpdated)},v1=${"0".repeat(64)}`;
    expect(verify(subscriptionUpdated, header)).toMatchObject({ kind: "accepted" });
  });

  it.each([
    ["no header", undefined, 400, "missing-signature-header"],
    ["an empty header", "", 400, "missing-signature-header"],
    ["no timestamp", `v1=${"a".repeat(64)}`, 400, "malformed-signature-header"],
    ["only a v0 signature", `t=${now},v0=${"a".repeat(64)}`, 400, "malformed-signature-header"],
    ["a non-numeric timestamp", `t=soon,v1=${"a".repeat(64)}`, 400, "malformed-signature-header"],
    [
      "two timestamps (duplicated headers)",
      `t=${now},v1=aa,t=${now},v1=bb`,
      400,
      "malformed-signature-header",
    ],
    ["a wrong signature", `t=${now},v1=${"a".repeat(64)}`, 401, "bad-signature"],
  ])("answers %s with a clear refusal", (_, header, status, reason) => {
    expect(verify(subscriptionUpdated, header)).toMatchObject({
      kind: "rejected",
      status,
      reason,
    });
  });

  it("refuses a signature made with another secret", () => {
    const header = sign(subscriptionUpdated, { key: "whsec_some_other_secret" });
    expect(verify(subscriptionUpdated, header)).toMatchObject({
      status: 401,
      reason: "bad-signature",
    });
  });

  it("refuses a truncated signature and a re-serialised body", () => {
    const header = sign(subscriptionUpdated);
    expect(verify(subscriptionUpdated, header.slice(0, -8))).toMatchObject({
      status: 401,
    });
    const reserialised = JSON.stringify(JSON.parse(subscriptionUpdated));
    expect(verify(reserialised, header)).toMatchObject({ status: 401 });
  });

  it("answers 400 for a signed body that is not JSON", () => {
    expect(verify("not json", sign("not json"))).toMatchObject({
      status: 400,
      reason: "body-not-json",
    });
  });

  it("answers 413 before verifying a huge body", () => {
    const body = "x".repeat(256 * 1024 + 1);
    expect(verify(body, sign(body))).toMatchObject({ status: 413 });
  });

  it("acknowledges a type it does not track", () => {
    const event = { ...JSON.parse(subscriptionUpdated), type: "customer.created" };
    const body = JSON.stringify(event);
    expect(verify(body, sign(body))).toEqual({
      kind: "ignored",
      eventId: event.id,
      type: "customer.created",
      reason: "type-not-handled",
    });
  });

  it("acknowledges a one-off payment checkout without enqueueing it", () => {
    const event = fixtureJson("stripe/checkout-session-completed.2023-08-16.json");
    event.data.object.mode = "payment";
    event.data.object.subscription = null;
    const body = JSON.stringify(event);
    expect(verify(body, sign(body))).toMatchObject({
      kind: "ignored",
      reason: "no-subscription",
    });
  });

  it("names the fields of a tracked event that does not parse", () => {
    const event = JSON.parse(subscriptionUpdated);
    event.data.object.customer = "CUS_wrongcase";
    const body = JSON.stringify(event);
    expect(verify(body, sign(body))).toMatchObject({
      status: 400,
      reason: "invalid-payload",
      eventId: event.id,
      fields: ["stripeCustomerId"],
    });
  });

  it("refuses a missing or malformed secret at start, by name", () => {
    expect(() => createStripeVerifier(undefined)).toThrow(ConfigError);
    expect(() => createStripeVerifier("whsec_ with space")).toThrow(
      /STRIPE_WEBHOOK_SECRET is malformed/,
    );
    expect(() => createStripeVerifier("sk_test_123456789")).toThrow(ConfigError);
  });
});
