import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toRecord } from "../../local/src/poller.js";
import { useLocalAws } from "../../../test/support/aws.js";
import { fixtureJson } from "../../../test/support/fixtures.js";
import { clearLogs } from "../../../test/support/logs.js";
import {
  counts,
  metricDocuments,
  otherOutput,
} from "../../../test/support/metrics.js";

let handler: typeof import("../src/provision.js").handler;
let sequence = 0;

beforeAll(async () => {
  await useLocalAws();
  // Imported once the table is configured, as the Lambda runtime would.
  ({ handler } = await import("../src/provision.js"));
});

beforeEach(() => clearLogs());

function newUserId() {
  sequence += 1;
  return `user_metricsTest${Date.now()}x${sequence}`;
}

type Type = "user.created" | "user.updated" | "user.deleted";

function message(userId: string, type: Type, updatedAt = 1_700_000_000_000) {
  const fixture =
    type === "user.deleted"
      ? "clerk/user-deleted.openapi.json"
      : "clerk/user-created.docs.json";
  const event = fixtureJson(fixture);
  const data = { ...event.data, id: userId };
  if (type !== "user.deleted") data.updated_at = updatedAt;
  return JSON.stringify({
    version: 1,
    source: "clerk",
    eventId: `msg_metrics_${userId}`,
    type,
    receivedAt: new Date().toISOString(),
    payload: { ...event, type, data },
  });
}

function record(body: string, receiveCount = 1) {
  sequence += 1;
  const id = `m${sequence}`;
  return toRecord(
    {
      MessageId: id,
      ReceiptHandle: id,
      Body: body,
      Attributes: { ApproximateReceiveCount: String(receiveCount) },
    },
    "arn:aws:sqs:us-east-1:000000000000:test",
  );
}

async function apply(...bodies: string[]) {
  return handler({ Records: bodies.map((body) => record(body)) });
}

/** A count with no breakdown: the service dimension only. */
function total(metric: string, value = 1) {
  return {
    namespace: "SignupProvisioning",
    metric,
    value,
    dimensionSets: [["service"]],
    dimensions: { service: "provision" },
  };
}

/** A count published in total and split by one dimension's value. */
function split(metric: string, name: string, word: string, value = 1) {
  return {
    namespace: "SignupProvisioning",
    metric,
    value,
    dimensionSets: [["service"], ["service", name]],
    dimensions: { service: "provision", [name]: word },
  };
}

describe("provision consumer metrics", () => {
  it("counts a record it creates as CustomerCreated by webhook", async () => {
    await apply(message(newUserId(), "user.created"));
    expect(counts()).toEqual([
      split("CustomerCreated", "createdBy", "webhook"),
    ]);
  });

  it("counts a newer profile as CustomerUpdated", async () => {
    const userId = newUserId();
    await apply(message(userId, "user.created"));
    clearLogs();
    await apply(message(userId, "user.updated", 1_800_000_000_000));
    expect(counts()).toEqual([total("CustomerUpdated")]);
  });

  it("counts an older profile as EventSkipped, stale", async () => {
    const userId = newUserId();
    await apply(message(userId, "user.updated", 1_800_000_000_000));
    clearLogs();
    await apply(message(userId, "user.created"));
    expect(counts()).toEqual([split("EventSkipped", "reason", "stale")]);
  });

  it("counts a deletion, then a profile for it as tombstoned", async () => {
    const userId = newUserId();
    await apply(message(userId, "user.deleted"));
    expect(counts()).toEqual([total("CustomerDeleted")]);
    clearLogs();
    await apply(message(userId, "user.created"));
    expect(counts()).toEqual([split("EventSkipped", "reason", "tombstoned")]);
  });

  it("counts a replayed deletion as already-deleted", async () => {
    const userId = newUserId();
    await apply(message(userId, "user.deleted"));
    clearLogs();
    await apply(message(userId, "user.deleted"));
    expect(counts()).toEqual([
      split("EventSkipped", "reason", "already-deleted"),
    ]);
  });

  it("counts a schema failure once, as permanent", async () => {
    const body = message("bad_id", "user.created");
    await handler({ Records: [record(body, 1)] });
    expect(counts()).toEqual([
      split("ProvisionFailed", "failure", "permanent"),
    ]);
    clearLogs();
    await handler({ Records: [record(body, 2)] });
    expect(counts()).toEqual([]);
  });

  it("counts every receive that storage fails as transient", async () => {
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    try {
      const body = message(newUserId(), "user.created");
      await handler({ Records: [record(body, 1), record(body, 2)] });
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
    expect(counts()).toEqual([
      split("ProvisionFailed", "failure", "transient", 2),
    ]);
  });

  it("writes one document per dimension value for a whole batch", async () => {
    const users = [newUserId(), newUserId(), newUserId()];
    const response = await apply(
      ...users.map((userId) => message(userId, "user.created")),
      "{not json",
      message(users[0]!, "user.created"),
    );
    expect(response.batchItemFailures).toHaveLength(1);
    // The batch runs its records at once, so the order is not fixed.
    const expected = [
      split("CustomerCreated", "createdBy", "webhook", 3),
      split("ProvisionFailed", "failure", "permanent"),
      split("EventSkipped", "reason", "stale"),
    ];
    expect(counts()).toHaveLength(expected.length);
    expect(counts()).toEqual(expect.arrayContaining(expected));
  });

  it("publishes counts only, never a user, event or message id", async () => {
    const userId = newUserId();
    await apply(message(userId, "user.created"), "{not json");
    const text = JSON.stringify(metricDocuments());
    for (const id of [userId, `msg_metrics_${userId}`, `m${sequence}`]) {
      expect(text).not.toContain(id);
    }
  });

  it("writes nothing beside its log lines and metrics", async () => {
    await apply(message(newUserId(), "user.created"));
    await handler({ Records: [] });
    expect(metricDocuments()).toHaveLength(1);
    expect(otherOutput()).toEqual([]);
  });
});
