import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../src/clerk-webhook.js";
import { webhookConfig } from "../src/clerk-webhook-config.js";
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

const drainQueue = () => aws.drainAll(aws.queues.queueUrl);

function request(
  body: string,
  options: Parameters<typeof signedClerkRequest>[2] = {},
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
    ["no svix-id", { "svix-id": "" }, 400],
    ["an email as svix-id", { "svix-id": "person@example.test" }, 400],
    ["a 129-character svix-id", { "svix-id": "m".repeat(129) }, 400],
  ])("answers %s without enqueueing", async (_, headers, status) => {
    const body = fixtureText("clerk/user-created.docs.json");
    const response = await handler(request(body, { headers }));
    expect(response.statusCode).toBe(status);
    expect(await drainQueue()).toHaveLength(0);
  });

  it("answers 401 to a correctly signed delivery from 10 minutes ago", async () => {
    const body = fixtureText("clerk/user-created.docs.json");
    const at = new Date(Date.now() - 10 * 60_000);
    const response = await handler(request(body, { at }));
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body!)).toEqual({
      error: "timestamp-outside-window",
    });
  });

  it("never logs a delivery id that is not shaped like one", async () => {
    const body = fixtureText("clerk/user-created.docs.json");
    await handler(
      request(body, { headers: { "svix-id": "person@example.test" } }),
    );
    expect(logLines()).toEqual([
      expect.objectContaining({ reason: "malformed-svix-id" }),
    ]);
    expect(logLines()[0]!.svixId).toBeUndefined();
  });

  it("answers 400 to a signed body that is not UTF-8", async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const event = request(bytes.toString("latin1"), { base64: false });
    event.body = bytes.toString("base64");
    event.isBase64Encoded = true;
    const response = await handler(event);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error).toBe("body-not-utf8");
  });

  it("names the offending field when a name is longer than stored", async () => {
    const event = JSON.parse(fixtureText("clerk/user-created.docs.json"));
    event.data.first_name = "x".repeat(257);
    const response = await handler(request(JSON.stringify(event)));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toEqual({
      error: "invalid-payload",
      fields: ["data.first_name"],
    });
    expect(await drainQueue()).toHaveLength(0);
  });

  it("answers 413 when the event would not fit in a queue message", async () => {
    // Only fields the schema keeps, so the queued copy is as large as the
    // body plus the envelope: just over the limit while the body is under.
    const event = {
      type: "user.created",
      data: {
        id: "user_tooLargeForTheQueue",
        primary_email_address_id: "idn_0",
        email_addresses: [] as Array<{ id: string; email_address: string }>,
        updated_at: 1,
      },
    };
    let body = JSON.stringify(event);
    for (let i = 0; Buffer.byteLength(body) < 256 * 1024 - 60; i++) {
      event.data.email_addresses.push({
        id: `idn_${i}`,
        email_address: `a${i}@example.test`,
      });
      body = JSON.stringify(event);
    }
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(256 * 1024);
    const response = await handler(request(body));
    expect(response.statusCode).toBe(413);
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

  it("names the variable when the queue URL is missing", async () => {
    const misconfigured = createHandler(() =>
      webhookConfig({ CLERK_WEBHOOK_SECRET: secret }),
    );
    const response = await misconfigured(
      request(fixtureText("clerk/user-created.docs.json")),
    );
    expect(response.statusCode).toBe(500);
    expect(logLines()[0]!.detail).toMatch(/PROVISION_QUEUE_URL is not set/);
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
        reason: "misconfigured",
      });
      expect(lines[0]!.detail).toMatch(detail);
    },
  );
});
