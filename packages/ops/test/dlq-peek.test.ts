import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Queue from "@app/core/queue";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import { peek, remove } from "../src/dlq.js";
import {
  deadLettersSettleAt,
  emptyDeadLetters,
  envelope,
  sendDeadLetter,
} from "./dead-letters.js";

let aws: TestAws;

beforeAll(async () => {
  aws = await useLocalAws();
});

beforeEach(() => emptyDeadLetters(aws));

const peekAll = () => peek(aws.sqs, aws.queues.deadLetterUrl);

describe("dlq peek", () => {
  it("lists more than ten messages and leaves every one in place", async () => {
    for (let i = 0; i < 12; i++) {
      await sendDeadLetter(aws, JSON.stringify(envelope(`user_dlqPeek${i}`)));
    }
    await sendDeadLetter(aws, "{not json");

    const first = await peekAll();
    const second = await peekAll();

    const ids = (p: typeof first) => p.messages.map((m) => m.messageId).sort();
    expect(new Set(ids(first)).size).toBe(13);
    expect(ids(second)).toEqual(ids(first));
    await deadLettersSettleAt(aws, 13);
  });

  it("stops at --max messages and says how many there are", async () => {
    for (let i = 0; i < 4; i++) await sendDeadLetter(aws, "{not json");
    const shown = await peek(aws.sqs, aws.queues.deadLetterUrl, { max: 2 });
    expect(shown.messages).toHaveLength(2);
    expect(shown.approximateCount).toBe(4);
  });

  it("reads ids from the envelope when attributes are missing", async () => {
    await sendDeadLetter(aws, JSON.stringify(envelope("user_dlqBare")));
    const { messages } = await peekAll();
    expect(messages).toEqual([
      expect.objectContaining({
        eventId: "msg_dlq_user_dlqBare",
        type: "user.created",
        source: "clerk",
        userId: "user_dlqBare",
      }),
    ]);
  });

  it("names the Stripe customer of a Stripe event that waits for its link", async () => {
    const stripe: Queue.Envelope = {
      version: 1,
      source: "stripe",
      eventId: "evt_1DlqPeekStripe",
      type: "customer.subscription.updated",
      receivedAt: new Date().toISOString(),
      payload: {
        eventId: "evt_1DlqPeekStripe",
        type: "customer.subscription.updated",
        created: 1_760_000_000,
        stripeCustomerId: "cus_DlqPeek1",
        subscriptionId: "sub_DlqPeek1",
      },
    };
    await sendDeadLetter(aws, JSON.stringify(stripe));
    const { messages } = await peekAll();
    expect(messages).toEqual([
      expect.objectContaining({
        eventId: "evt_1DlqPeekStripe",
        source: "stripe",
        stripeCustomerId: "cus_DlqPeek1",
        userId: undefined,
        failure: "retryable",
      }),
    ]);
  });

  it("tells permanently broken messages and why", async () => {
    const broken = envelope("user_dlqBroken");
    (broken.payload as { data: { id: string } }).data.id = "bad_id";
    await sendDeadLetter(aws, "{not json");
    await sendDeadLetter(aws, JSON.stringify({ version: 2 }));
    await sendDeadLetter(aws, JSON.stringify(broken));

    const { messages } = await peekAll();

    const reasons = messages.map((m) => [m.failure, m.reason]).sort();
    expect(reasons).toEqual([
      ["permanent", "message body is not JSON"],
      [
        "permanent",
        "message does not match the envelope: " +
          "version, source, eventId, type, receivedAt, payload",
      ],
      ["permanent", "payload does not match its event schema: data.id"],
    ]);
  });
});

describe("dlq delete", () => {
  it("deletes the one message named and no other", async () => {
    await sendDeadLetter(aws, "{not json");
    await sendDeadLetter(aws, "{also not json");
    const [doomed, kept] = (await peekAll()).messages;

    const url = aws.queues.deadLetterUrl;
    const deleted = await remove(aws.sqs, url, doomed!.messageId);

    expect(deleted?.messageId).toBe(doomed!.messageId);
    const left = await peekAll();
    expect(left.messages.map((m) => m.messageId)).toEqual([kept!.messageId]);
  });

  it("finds nothing to delete for an unknown id", async () => {
    await sendDeadLetter(aws, "{not json");
    const url = aws.queues.deadLetterUrl;
    expect(await remove(aws.sqs, url, "no-such-message")).toBeUndefined();
    await deadLettersSettleAt(aws, 1);
  });
});
