import {
  GetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as Customer from "@app/core/customer";
import * as Queue from "@app/core/queue";
import { createHandler as createWebhook } from
  "../../functions/src/clerk-webhook.js";
import { webhookConfig } from "../../functions/src/clerk-webhook-config.js";
import { startPoller, type Poller } from "../../local/src/poller.js";
import {
  eventually,
  useLocalAws,
  type TestAws,
} from "../../../test/support/aws.js";
import { emailPattern } from "../../../test/support/fixtures.js";
import { signedClerkRequest } from "../../../test/support/webhook.js";
import { peek, redrive } from "../src/dlq.js";
import {
  deadLetterCount as countIn,
  deadLettersSettleAt as settleIn,
  emptyDeadLetters,
  envelope,
} from "./dead-letters.js";

const secret = "whsec_bG9jYWwtZGV2LXNpZ25pbmctc2VjcmV0";
const day = 24 * 60 * 60 * 1000;
let aws: TestAws;
let poller: Poller | undefined;
let handler: typeof import("../../functions/src/provision.js").handler;
let sequence = 0;

beforeAll(async () => {
  // A one-second visibility timeout lets five receives happen in seconds.
  aws = await useLocalAws({ visibilityTimeoutSeconds: 1 });
  ({ handler } = await import("../../functions/src/provision.js"));
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  await emptyDeadLetters(aws);
});

function newUserId() {
  sequence += 1;
  return `user_dlqTest${Date.now()}x${sequence}`;
}

function runPoller() {
  poller = startPoller({
    client: aws.sqs,
    queueUrl: aws.queues.queueUrl,
    handler: (event) => handler(event),
    visibilityTimeoutSeconds: 1,
    waitTimeSeconds: 0,
  });
}

const deadLetterCount = () => countIn(aws);
const deadLettersSettleAt = (count: number) => settleIn(aws, count);

/** Redrives, then lets the consumer run until both queues are empty. */
async function redriveAndConsume() {
  const result = await redrive(aws.sqs, aws.queues, { pollMs: 200 });
  runPoller();
  await eventually(async () =>
    (await aws.queueDepth(aws.queues.queueUrl)) === 0 ? true : undefined,
  );
  return result;
}

describe("a message that failed while the table name was wrong", () => {
  it("parks, shows no personal data, redrives once fixed", async () => {
    const userId = newUserId();
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    try {
      await Queue.send(aws.queues.queueUrl, envelope(userId));
      runPoller();
      await eventually(async () =>
        (await deadLetterCount()) === 1 ? true : undefined,
      30_000);
      await poller!.stop();
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }

    const shown = await peek(aws.sqs, aws.queues.deadLetterUrl);
    expect(shown.messages).toEqual([
      expect.objectContaining({
        eventId: `msg_dlq_${userId}`,
        type: "user.created",
        source: "clerk",
        userId,
        failure: "retryable",
      }),
    ]);
    expect(shown.messages[0]!.receiveCount).toBeGreaterThanOrEqual(1);
    const printed = JSON.stringify(shown);
    expect(printed).not.toMatch(emailPattern);
    expect(printed).not.toMatch(/Fixture|Person/);
    await deadLettersSettleAt(1);

    const result = await redriveAndConsume();

    expect(result).toMatchObject({ status: "COMPLETED", moved: 1, left: 0 });
    expect(await deadLetterCount()).toBe(0);
    const stored = (await aws.items()).filter((i) => i.userId === userId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ createdBy: "webhook", status: "active" });
  });
});

describe("dlq redrive", () => {
  it("changes nothing when the message's record already exists", async () => {
    const userId = newUserId();
    const message = envelope(userId);
    await Queue.send(aws.queues.queueUrl, message);
    runPoller();
    const applied = await eventually(() => Customer.find(userId));
    await poller!.stop();
    await Queue.send(aws.queues.deadLetterUrl, message);

    await redriveAndConsume();

    expect(await deadLetterCount()).toBe(0);
    expect(await Customer.get(userId)).toEqual(applied);
  });

  it("applies a delivery signed before the webhook's window", async () => {
    const userId = newUserId();
    const signedAt = new Date(Date.now() - 13 * day);
    const body = JSON.stringify(envelope(userId).payload);
    const request = signedClerkRequest(body, secret, { at: signedAt });
    // The webhook's queue is the DLQ here: the message it enqueues lands
    // where five failed receives would put it (the first test shows so).
    const webhook = createWebhook(() =>
      webhookConfig({
        PROVISION_QUEUE_URL: aws.queues.deadLetterUrl,
        CLERK_WEBHOOK_SECRET: secret,
      }),
    );
    vi.useFakeTimers({ toFake: ["Date"], now: signedAt });
    try {
      expect((await webhook(request)).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    expect(await webhook(request)).toMatchObject({
      statusCode: 401,
      body: JSON.stringify({ error: "timestamp-outside-window" }),
    });
    expect(await deadLetterCount()).toBe(1);

    await redriveAndConsume();

    expect(await Customer.get(userId)).toMatchObject({
      createdBy: "webhook",
      email: "fixture.user@example.test",
    });
  });

  it("refuses to start while a redrive of the DLQ is running", async () => {
    await Queue.send(aws.queues.deadLetterUrl, envelope(newUserId()));
    const arn = async (url: string) =>
      (
        await aws.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ["QueueArn"],
          }),
        )
      ).Attributes!.QueueArn!;
    await aws.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: await arn(aws.queues.deadLetterUrl),
        DestinationArn: await arn(aws.queues.queueUrl),
      }),
    );

    await expect(redrive(aws.sqs, aws.queues)).rejects.toThrow(
      "a redrive of this DLQ is already running",
    );
    runPoller();
    await eventually(async () =>
      (await aws.queueDepth(aws.queues.queueUrl)) === 0 &&
      (await deadLetterCount()) === 0
        ? true
        : undefined,
    );
  });

  it("says so and moves nothing when the DLQ is empty", async () => {
    const result = await redrive(aws.sqs, aws.queues, { pollMs: 200 });
    expect(result).toEqual({ status: "EMPTY", moved: 0, toMove: 0, left: 0 });
  });
});
