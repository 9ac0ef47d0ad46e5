import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../src/clerk-webhook.js";
import { webhookConfig } from "../src/config.js";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import {
  clerkFixtureFiles,
  fixtureText,
} from "../../../test/support/fixtures.js";
import { clearLogs, logLines } from "../../../test/support/logs.js";
import { signedClerkRequest } from "../../../test/support/webhook.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
let aws: TestAws;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  aws = await useLocalAws();
  handler = createHandler(() =>
    webhookConfig({
      CLERK_WEBHOOK_SECRET: secret,
      PROVISION_QUEUE_URL: aws.queues.queueUrl,
    }),
  );
});

beforeEach(async () => {
  clearLogs();
  await drainQueue();
});

async function drainQueue() {
  const bodies: string[] = [];
  for (;;) {
    const batch = await aws.drain(aws.queues.queueUrl);
    if (batch.length === 0) return bodies;
    bodies.push(...batch.map((m) => m.body));
  }
}

function request(
  body: string,
  options: { base64?: boolean; headers?: Record<string, string> } = {},
) {
  return signedClerkRequest(body, secret, options);
}

const supported = clerkFixtureFiles().filter((f) => f.includes("/user-"));
const unsupported = clerkFixtureFiles().filter((f) => !f.includes("/user-"));

describe("Clerk webhook handler", () => {
  it.each(supported)("enqueues %s and answers 200", async (file) => {
    const body = fixtureText(file);
    const event = request(body);
    const response = await handler(event);
    expect(response.statusCode).toBe(200);
    const [message, ...rest] = await drainQueue();
    expect(rest).toHaveLength(0);
    const envelope = JSON.parse(message!);
    expect(envelope).toMatchObject({
      version: 1,
      source: "clerk",
      eventId: event.headers["svix-id"],
      type: JSON.parse(body).type,
    });
    expect(envelope.payload.data.id).toBe(JSON.parse(body).data.id);
  });

  it.each(unsupported)("answers 200 to %s without enqueueing", async (file) => {
    const response = await handler(request(fixtureText(file)));
    expect(response.statusCode).toBe(200);
    expect(await drainQueue()).toHaveLength(0);
  });

  it("decodes a base64 body before verifying it", async () => {
    const body = fixtureText("clerk/user-created.docs.json");
    const response = await handler(request(body, { base64: true }));
    expect(response.statusCode).toBe(200);
    expect(await drainQueue()).toHaveLength(1);
  });

  it.each([
    ["a bad signature", { "svix-signature": "v1,AAAA" }, 401],
    ["a stale timestamp", { "svix-timestamp": "1600000000" }, 401],
    ["no svix-id", { "svix-id": "" }, 400],
  ])("answers %s without enqueueing", async (_, headers, status) => {
    const body = fixtureText("clerk/user-created.docs.json");
    const response = await handler(request(body, { headers }));
    expect(response.statusCode).toBe(status);
    expect(await drainQueue()).toHaveLength(0);
  });

  it("answers 413 for a body over 256 KB", async () => {
    const response = await handler(request("x".repeat(256 * 1024 + 1)));
    expect(response.statusCode).toBe(413);
  });

  it("writes one log line per answer with the svix id and reason", async () => {
    const event = request(fixtureText("clerk/user-created.docs.json"));
    await handler(event);
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: "webhook answered",
      svixId: event.headers["svix-id"],
      reason: "enqueued",
      status: 200,
    });
  });

  it("answers 500 and enqueues nothing when the queue cannot be reached", async () => {
    const broken = createHandler(() =>
      webhookConfig({
        CLERK_WEBHOOK_SECRET: secret,
        PROVISION_QUEUE_URL: `${aws.queues.queueUrl}-missing`,
      }),
    );
    const event = request(fixtureText("clerk/user-created.docs.json"));
    const response = await broken(event);
    expect(response.statusCode).toBe(500);
    expect(await drainQueue()).toHaveLength(0);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        reason: "enqueue-failed",
        svixId: event.headers["svix-id"],
      }),
    ]);
  });

  it.each([
    ["missing", undefined, /CLERK_WEBHOOK_SECRET is not set/],
    ["malformed", "whsec_short", /CLERK_WEBHOOK_SECRET is malformed/],
  ])(
    "answers 500 with one clear log line when the secret is %s",
    async (_, value, detail) => {
      const misconfigured = createHandler(() =>
        webhookConfig({
          CLERK_WEBHOOK_SECRET: value,
          PROVISION_QUEUE_URL: aws.queues.queueUrl,
        }),
      );
      const response = await misconfigured(
        request(fixtureText("clerk/user-created.docs.json")),
      );
      expect(response.statusCode).toBe(500);
      expect(await drainQueue()).toHaveLength(0);
      const lines = logLines();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: "ERROR",
        reason: "secret-misconfigured",
      });
      expect(lines[0]!.detail).toMatch(detail);
    },
  );
});
