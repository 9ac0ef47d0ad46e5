import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../src/clerk-webhook.js";
import { webhookConfig } from "../src/clerk-webhook-config.js";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import { fixtureText } from "../../../test/support/fixtures.js";
import { clearLogs, logLines } from "../../../test/support/logs.js";
import {
  counts,
  metricDocuments,
  otherOutput,
} from "../../../test/support/metrics.js";
import { signedClerkRequest } from "../../../test/support/webhook.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const created = "clerk/user-created.docs.json";
let aws: TestAws;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  aws = await useLocalAws();
  handler = withConfig({ PROVISION_QUEUE_URL: aws.queues.queueUrl });
});

beforeEach(() => clearLogs());

function withConfig(env: Record<string, string | undefined>) {
  return createHandler(() =>
    webhookConfig({ CLERK_WEBHOOK_SECRET: secret, ...env }),
  );
}

function request(
  body: string,
  options: Parameters<typeof signedClerkRequest>[2] = {},
) {
  return signedClerkRequest(body, secret, options);
}

const service = { service: "clerk-webhook" };

function total(metric: string) {
  return {
    namespace: "SignupProvisioning",
    metric,
    value: 1,
    dimensionSets: [["service"]],
    dimensions: service,
  };
}

/** A count published in total and split by one dimension's value. */
function split(metric: string, name: string, word: string) {
  return {
    namespace: "SignupProvisioning",
    metric,
    value: 1,
    dimensionSets: [["service"], ["service", name]],
    dimensions: { ...service, [name]: word },
  };
}

function byReason(metric: string, reason: string) {
  return split(metric, "reason", reason);
}

const accepted = split("WebhookAccepted", "eventType", "user.created");

describe("Clerk webhook metrics", () => {
  it("counts an enqueued event as WebhookAccepted by its type", async () => {
    const response = await handler(request(fixtureText(created)));
    expect(response.statusCode).toBe(200);
    expect(counts()).toEqual([accepted]);
  });

  it.each([
    ["user.updated", "clerk/user-updated.catalog.json"],
    ["user.deleted", "clerk/user-deleted.openapi.json"],
  ])("counts an enqueued %s by its type", async (type, file) => {
    await handler(request(fixtureText(file)));
    expect(counts()).toEqual([split("WebhookAccepted", "eventType", type)]);
  });

  it("counts an event type it does not handle as WebhookIgnored", async () => {
    const body = fixtureText("clerk/session-created.openapi.json");
    const response = await handler(request(body));
    expect(response.statusCode).toBe(200);
    expect(counts()).toEqual([total("WebhookIgnored")]);
  });

  it.each([
    ["bad-signature", { headers: { "svix-signature": "v1,AAAA" } }],
    ["missing-svix-headers", { headers: { "svix-id": "" } }],
    ["malformed-svix-id", { headers: { "svix-id": "msg/1" } }],
    ["timestamp-outside-window", { at: new Date(Date.now() - 600_000) }],
  ])("counts WebhookRejected with reason %s", async (reason, options) => {
    const response = await handler(request(fixtureText(created), options));
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(counts()).toEqual([byReason("WebhookRejected", reason)]);
  });

  it("counts a payload that fails its schema as invalid-payload", async () => {
    const event = JSON.parse(fixtureText(created));
    event.data.first_name = "x".repeat(257);
    await handler(request(JSON.stringify(event)));
    expect(counts()).toEqual([byReason("WebhookRejected", "invalid-payload")]);
  });

  it("counts a body over 256 KB as body-too-large", async () => {
    await handler(request("x".repeat(256 * 1024 + 1)));
    expect(counts()).toEqual([byReason("WebhookRejected", "body-too-large")]);
  });

  it("counts an unreachable queue as enqueue-failed", async () => {
    const broken = withConfig({
      PROVISION_QUEUE_URL: `${aws.queues.queueUrl}-missing`,
    });
    const response = await broken(request(fixtureText(created)));
    expect(response.statusCode).toBe(500);
    expect(counts()).toEqual([byReason("WebhookFailed", "enqueue-failed")]);
  });

  it("counts a missing secret as misconfigured", async () => {
    const misconfigured = createHandler(() =>
      webhookConfig({ PROVISION_QUEUE_URL: aws.queues.queueUrl }),
    );
    const response = await misconfigured(request(fixtureText(created)));
    expect(response.statusCode).toBe(500);
    expect(counts()).toEqual([byReason("WebhookFailed", "misconfigured")]);
  });

  it("writes each answer's count before the invocation returns", async () => {
    await handler(request(fixtureText(created)));
    expect(counts()).toEqual([accepted]);
    await handler(request(fixtureText(created)));
    expect(counts()).toEqual([accepted, accepted]);
  });

  it("publishes counts only, never a delivery id or a user id", async () => {
    const event = request(fixtureText(created));
    await handler(event);
    const [document, ...rest] = metricDocuments();
    expect(rest).toEqual([]);
    expect(Object.keys(document!).sort()).toEqual(
      ["WebhookAccepted", "_aws", "eventType", "service"].sort(),
    );
    const text = JSON.stringify(document);
    expect(text).not.toContain(event.headers["svix-id"]);
    expect(text).not.toContain(JSON.parse(fixtureText(created)).data.id);
  });

  it("writes nothing beside its log line and its metric", async () => {
    await handler(request(fixtureText(created)));
    await handler(request("x".repeat(256 * 1024 + 1)));
    expect(logLines()).toHaveLength(2);
    expect(metricDocuments()).toHaveLength(2);
    expect(otherOutput()).toEqual([]);
  });
});
