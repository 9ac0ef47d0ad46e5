import Stripe from "stripe";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stripeWebhookConfig } from "../src/stripe-webhook-config.js";
import { createHandler } from "../src/stripe-webhook.js";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import { fixtureText } from "../../../test/support/fixtures.js";
import { clearLogs, logLines } from "../../../test/support/logs.js";
import { counts } from "../../../test/support/metrics.js";
import { stripeRequest } from "../../../test/support/webhook.js";

const secret = "whsec_stripe_handler_test_0123456789";
let aws: TestAws;
let handler: ReturnType<typeof createHandler>;

const fixtures = [
  "stripe/checkout-session-completed.2023-08-16.json",
  "stripe/customer-subscription-updated.2024-06-20.json",
  "stripe/customer-subscription-updated.2025-08-27.json",
  "stripe/invoice-paid.2023-08-16.json",
];

beforeAll(async () => {
  aws = await useLocalAws();
  handler = createHandler(() =>
    stripeWebhookConfig({
      STRIPE_WEBHOOK_SECRET: secret,
      PROVISION_QUEUE_URL: aws.queues.queueUrl,
    }),
  );
});

beforeEach(async () => {
  clearLogs();
  await drainQueue();
});

const drainQueue = () => aws.drainAll(aws.queues.queueUrl);

function request(
  body: string,
  headers: Record<string, string> = {
    "stripe-signature": Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
    }),
  },
) {
  return stripeRequest(body, headers);
}

/** A well-formed header whose signature is zeros, `age` seconds old. */
function zeroSignature(age: number) {
  const t = Math.floor(Date.now() / 1000) - age;
  return { "stripe-signature": `t=${t},v1=${"0".repeat(64)}` };
}

describe("Stripe webhook handler", () => {
  it.each(fixtures)("enqueues %s and answers 200", async (file) => {
    const body = fixtureText(file);
    const event = JSON.parse(body);
    const response = await handler(request(body));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({
      received: true,
      reason: "enqueued",
    });
    const [message, ...rest] = await drainQueue();
    expect(rest).toHaveLength(0);
    expect(JSON.parse(message!)).toMatchObject({
      version: 1,
      source: "stripe",
      eventId: event.id,
      type: event.type,
      payload: { eventId: event.id, type: event.type },
    });
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "webhook answered",
        service: "stripe-webhook",
        status: 200,
        reason: "enqueued",
        stripeEventId: event.id,
        type: event.type,
      }),
    ]);
    expect(counts()).toEqual([
      expect.objectContaining({
        metric: "WebhookAccepted",
        value: 1,
        dimensions: expect.objectContaining({
          service: "stripe-webhook",
          eventType: event.type,
        }),
      }),
    ]);
  });

  it("acknowledges an untracked type without enqueueing it", async () => {
    const event = JSON.parse(fixtureText(fixtures[1]!));
    const body = JSON.stringify({ ...event, type: "customer.updated" });
    const response = await handler(request(body));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!).reason).toBe("type-not-handled");
    expect(await drainQueue()).toHaveLength(0);
  });

  it("accepts the body base64-encoded, as API Gateway may pass it", async () => {
    const body = fixtureText(fixtures[0]!);
    const event = request(body);
    const response = await handler({
      ...event,
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(200);
    expect(await drainQueue()).toHaveLength(1);
  });

  it.each([
    ["no signature", {}, 400, "missing-signature-header"],
    ["a garbled signature", { "stripe-signature": "nonsense" }, 400, "malformed-signature-header"],
    ["a wrong signature", zeroSignature(0), 401, "bad-signature"],
    ["a stale signature", zeroSignature(301), 401, "timestamp-outside-window"],
  ])("answers %s with a clear refusal and enqueues nothing", async (_, headers, status, reason) => {
    const response = await handler(request(fixtureText(fixtures[1]!), headers));
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body!)).toEqual({ error: reason });
    expect(await drainQueue()).toHaveLength(0);
    expect(logLines()).toEqual([
      expect.objectContaining({ level: "WARN", status, reason }),
    ]);
  });

  it("answers 500 and enqueues nothing when the queue cannot be reached", async () => {
    const broken = createHandler(() =>
      stripeWebhookConfig({
        STRIPE_WEBHOOK_SECRET: secret,
        PROVISION_QUEUE_URL: `${aws.queues.queueUrl}-missing`,
      }),
    );
    const body = fixtureText(fixtures[1]!);
    const response = await broken(request(body));
    expect(response.statusCode).toBe(500);
    expect(await drainQueue()).toHaveLength(0);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        reason: "enqueue-failed",
        stripeEventId: JSON.parse(body).id,
      }),
    ]);
  });

  it.each([
    ["missing", undefined, /STRIPE_WEBHOOK_SECRET is not set/],
    ["malformed", "not-a-secret", /STRIPE_WEBHOOK_SECRET is malformed/],
  ])("answers 500 naming the variable when the secret is %s", async (_, value, detail) => {
    const misconfigured = createHandler(() =>
      stripeWebhookConfig({
        STRIPE_WEBHOOK_SECRET: value,
        PROVISION_QUEUE_URL: aws.queues.queueUrl,
      }),
    );
    const response = await misconfigured(request(fixtureText(fixtures[1]!)));
    expect(response.statusCode).toBe(500);
    expect(await drainQueue()).toHaveLength(0);
    const [line, ...rest] = logLines();
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({ level: "ERROR", reason: "misconfigured" });
    expect(line!.detail).toMatch(detail);
  });
});
