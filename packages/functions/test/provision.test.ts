import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Customer from "@app/core/customer";
import {
  startPoller,
  toRecord,
  type Poller,
} from "../../local/src/poller.js";
import {
  eventually,
  useLocalAws,
  type TestAws,
} from "../../../test/support/aws.js";
import { fixtureJson } from "../../../test/support/fixtures.js";
import { clearLogs, logLines } from "../../../test/support/logs.js";

let aws: TestAws;
let poller: Poller | undefined;
let sequence = 0;
let handler: typeof import("../src/provision.js").handler;

beforeAll(async () => {
  // A one-second visibility timeout lets five receives happen in seconds.
  aws = await useLocalAws({ visibilityTimeoutSeconds: 1 });
  // Imported once the table is configured, as the Lambda runtime would.
  ({ handler } = await import("../src/provision.js"));
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

function newUserId() {
  sequence += 1;
  return `user_provisionTest${Date.now()}x${sequence}`;
}

function clerkEnvelope(userId: string, type = "user.created") {
  const event = fixtureJson("clerk/user-created.docs.json");
  return {
    version: 1,
    source: "clerk",
    eventId: `msg_provision_${userId}`,
    type,
    receivedAt: new Date().toISOString(),
    payload: { ...event, type, data: { ...event.data, id: userId } },
  };
}

function record(body: string, id: string) {
  return toRecord(
    { MessageId: id, ReceiptHandle: id, Body: body },
    "arn:aws:sqs:us-east-1:000000000000:test",
  );
}

async function send(body: string) {
  await aws.sqs.send(
    new SendMessageCommand({ QueueUrl: aws.queues.queueUrl, MessageBody: body }),
  );
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

describe("provision consumer", () => {
  it("reports only the non-JSON message of a batch as failed", async () => {
    const users = [newUserId(), newUserId()];
    const response = await handler({
      Records: [
        record(JSON.stringify(clerkEnvelope(users[0]!)), "good-1"),
        record("{not json", "bad"),
        record(JSON.stringify(clerkEnvelope(users[1]!)), "good-2"),
      ],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "bad" }]);
    for (const userId of users) {
      expect((await Customer.get(userId)).createdBy).toBe("webhook");
    }
  });

  it("logs a schema failure once, as permanent", async () => {
    clearLogs();
    const envelope = clerkEnvelope(newUserId());
    (envelope.payload.data as Record<string, unknown>).id = "bad_id";
    await handler({ Records: [record(JSON.stringify(envelope), "m1")] });
    const failures = logLines().filter((l) => l.message === "message failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: "ERROR",
      failure: "permanent",
      messageId: "m1",
    });
  });

  it("treats duplicate and out-of-order messages as harmless", async () => {
    const userId = newUserId();
    const newer = clerkEnvelope(userId, "user.updated");
    newer.payload.data.updated_at = 2_000_000_000_000;
    newer.payload.data.first_name = "Newer";
    const older = clerkEnvelope(userId);
    const response = await handler({
      Records: [
        record(JSON.stringify(newer), "n1"),
        record(JSON.stringify(older), "o1"),
        record(JSON.stringify(newer), "n2"),
        record(JSON.stringify(older), "o2"),
      ],
    });
    expect(response.batchItemFailures).toEqual([]);
    const stored = await Customer.get(userId);
    expect(stored.firstName).toBe("Newer");
    expect(stored.clerkUpdatedAt).toBe(2_000_000_000_000);
  });

  it("parks a poison message in the DLQ after 5 receives, body unchanged", async () => {
    clearLogs();
    const poison = "{not json";
    const users = [newUserId(), newUserId(), newUserId()];
    for (const userId of users) await send(JSON.stringify(clerkEnvelope(userId)));
    await send(poison);
    runPoller();
    const parked = await eventually(async () => {
      const messages = await aws.drain(aws.queues.deadLetterUrl);
      return messages.length ? messages : undefined;
    }, 30_000);
    expect(parked.map((m) => m.body)).toEqual([poison]);
    const items = (await aws.items()).filter((i) => users.includes(i.userId));
    expect(items).toHaveLength(3);
    const failures = logLines().filter(
      (l) => l.message === "message failed" && l.failure === "permanent",
    );
    expect(failures.map((l) => [l.level, l.receiveCount])).toEqual([
      ["ERROR", 1],
    ]);
  });

  it("fails every message as transient when the table is wrong", async () => {
    clearLogs();
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    const users = [newUserId(), newUserId()];
    try {
      const response = await handler({
        Records: users.map((userId, i) =>
          record(JSON.stringify(clerkEnvelope(userId)), `w${i}`),
        ),
      });
      const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
      expect(failed.sort()).toEqual(["w0", "w1"]);
      const failures = logLines().filter((l) => l.message === "message failed");
      expect(failures.map((l) => l.failure)).toEqual([
        "transient",
        "transient",
      ]);
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
    const items = (await aws.items()).filter((i) => users.includes(i.userId));
    expect(items).toHaveLength(0);
  });

  it("leaves unacknowledged messages on the queue while the table is wrong", async () => {
    clearLogs();
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    const userId = newUserId();
    try {
      await send(JSON.stringify(clerkEnvelope(userId)));
      runPoller();
      await eventually(async () =>
        logLines().some((l) => l.failure === "transient" && l.receiveCount >= 2)
          ? true
          : undefined,
      );
      await poller!.stop();
      // Still on the queue: it reappears once its visibility timeout ends.
      const again = await eventually(async () => {
        const messages = await aws.drain(aws.queues.queueUrl);
        return messages.length ? messages : undefined;
      });
      expect(again.map((m) => JSON.parse(m.body).eventId)).toEqual([
        `msg_provision_${userId}`,
      ]);
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
    runPoller();
    const stored = await eventually(() => Customer.find(userId), 20_000);
    expect(stored.createdBy).toBe("webhook");
  });

  it("ends with one record when five pages and the consumer race", async () => {
    const userId = newUserId();
    const [, ...ensured] = await Promise.all([
      handler({
        Records: [record(JSON.stringify(clerkEnvelope(userId)), "race")],
      }),
      ...Array.from({ length: 5 }, () => Customer.ensure(userId)),
    ]);
    const items = (await aws.items()).filter((i) => i.userId === userId);
    expect(items).toHaveLength(1);
    const createdAt = items[0]!.createdAt;
    for (const result of ensured) {
      expect(result.customer.createdAt).toBe(createdAt);
    }
    expect(items[0]!.email).toBe("fixture.user@example.test");
  });
});
