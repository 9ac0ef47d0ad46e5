import { describe, expect, it } from "vitest";
import { logLines } from "../../../../test/support/logs.js";
import {
  event,
  nestedArrays,
  parkInDeadLetters,
  record,
  storedUser,
  useHostileSetup,
} from "./support.js";

/**
 * The provision consumer's rows of the hostile-input catalogue
 * (docs/hostile-input.md): messages the webhook would never have queued.
 * Each case checks its answer, its log line and that the table and the
 * queues are exactly as they were.
 */

const setup = useHostileSetup();

type MessageCase = {
  input: string;
  body: () => string;
  reason: string;
  fields?: string[];
};

function envelope(payload: unknown = event) {
  return {
    version: 1,
    source: "clerk",
    eventId: "msg_hostileQueueMessage",
    type: "user.created",
    receivedAt: new Date().toISOString(),
    payload,
  };
}

function envelopeWith(change: (copy: any) => void): string {
  const copy = structuredClone(envelope());
  change(copy);
  return JSON.stringify(copy);
}

const notEnvelope = "message does not match the envelope";
const notEvent = "payload does not match its event schema";

const messageCases: MessageCase[] = [
  {
    input: "a body that is not JSON",
    body: () => "{not json",
    reason: "message body is not JSON",
  },
  ...["null", "[]", '"user.created"'].map((json) => ({
    input: `the JSON value ${json}`,
    body: () => json,
    reason: notEnvelope,
    fields: [""],
  })),
  {
    input: "envelope version 2",
    body: () => envelopeWith((e) => (e.version = 2)),
    reason: notEnvelope,
    fields: ["version"],
  },
  {
    input: "an unknown source",
    body: () => envelopeWith((e) => (e.source = "github")),
    reason: notEnvelope,
    fields: ["source"],
  },
  {
    input: "no eventId",
    body: () => envelopeWith((e) => delete e.eventId),
    reason: notEnvelope,
    fields: ["eventId"],
  },
  {
    input: "a receivedAt that is not a timestamp",
    body: () => envelopeWith((e) => (e.receivedAt = "yesterday")),
    reason: notEnvelope,
    fields: ["receivedAt"],
  },
  {
    input: "the whole envelope under __proto__",
    body: () => `{"__proto__":${JSON.stringify(envelope())}}`,
    reason: notEnvelope,
    fields: ["version", "source", "eventId", "type", "receivedAt", "payload"],
  },
  {
    input: "a payload of an unknown event type",
    body: () => envelopeWith((e) => (e.payload.type = "user.hijacked")),
    reason: notEvent,
    fields: ["type"],
  },
  {
    input: "a payload whose user id has the prefix org_",
    body: () =>
      envelopeWith(
        (e) => (e.payload.data.id = storedUser.replace("user_", "org_")),
      ),
    reason: notEvent,
    fields: ["data.id"],
  },
  {
    input: "a payload whose user id prefix is upper case",
    body: () =>
      envelopeWith(
        (e) => (e.payload.data.id = storedUser.replace("user_", "USER_")),
      ),
    reason: notEvent,
    fields: ["data.id"],
  },
  {
    input: "a payload with updated_at as a string",
    body: () => envelopeWith((e) => (e.payload.data.updated_at = "1")),
    reason: notEvent,
    fields: ["data.updated_at"],
  },
  {
    input: "a payload whose data is nested 50,000 deep",
    body: () =>
      JSON.stringify(envelope("PAYLOAD")).replace(
        '"PAYLOAD"',
        `{"type":"user.deleted","data":${nestedArrays(50_000)}}`,
      ),
    reason: notEvent,
    fields: ["data"],
  },
  {
    input: "a user.deleted payload with the id under __proto__",
    body: () =>
      JSON.stringify(envelope("PAYLOAD")).replace(
        '"PAYLOAD"',
        `{"type":"user.deleted","data":{"__proto__":{"id":"${storedUser}"}}}`,
      ),
    reason: notEvent,
    fields: ["data.id"],
  },
];

describe("provision consumer, hostile messages", () => {
  it.each(messageCases.map((c) => [c.input, c] as const))(
    "fails %s as permanent and writes nothing",
    async (_, hostile) => {
      const response = await setup.provision({
        Records: [record(hostile.body(), "hostile-1")],
      });

      expect(response.batchItemFailures).toEqual([
        { itemIdentifier: "hostile-1" },
      ]);
      const failures = logLines().filter(
        (line) => line.message === "message failed",
      );
      expect(failures).toEqual([
        expect.objectContaining({
          level: "ERROR",
          failure: "permanent",
          error: "InvalidInputError",
          messageId: "hostile-1",
          receiveCount: 1,
          reason: hostile.reason,
        }),
      ]);
      if (hostile.fields) {
        expect(failures[0]!.data.fields).toEqual(hostile.fields);
      }
      await setup.expectNothingChanged();
    },
  );

  it("parks every hostile message in the DLQ with its body unchanged", async () => {
    const bodies = messageCases.map((c) => c.body());
    const parked = await parkInDeadLetters(setup, bodies);

    expect(parked.sort()).toEqual([...bodies].sort());
    expect(await setup.aws.items()).toEqual(setup.snapshot);
    expect(await setup.aws.drain(setup.aws.queues.queueUrl)).toEqual([]);
  });
});
