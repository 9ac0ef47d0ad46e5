import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type * as Queue from "@app/core/queue";
import { eventually, type TestAws } from "../../../test/support/aws.js";
import { fixtureJson } from "../../../test/support/fixtures.js";

/** A `user.created` envelope as the webhook enqueues it. */
export function envelope(
  userId: string,
  receivedAt = new Date(),
): Queue.Envelope {
  const event = fixtureJson("clerk/user-created.docs.json");
  return {
    version: 1,
    source: "clerk",
    eventId: `msg_dlq_${userId}`,
    type: "user.created",
    receivedAt: receivedAt.toISOString(),
    payload: { ...event, data: { ...event.data, id: userId } },
  };
}

/**
 * A message put in the DLQ by hand: a body and no attributes. Resolves
 * once it is visible; the local SQS server holds a new message back for
 * a moment first.
 */
export async function sendDeadLetter(aws: TestAws, body: string) {
  const url = aws.queues.deadLetterUrl;
  await aws.sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: body }),
  );
  await eventually(async () => {
    const { Attributes } = await aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessagesDelayed"],
      }),
    );
    return Attributes?.ApproximateNumberOfMessagesDelayed === "0"
      ? true
      : undefined;
  });
}

export function deadLetterCount(aws: TestAws) {
  return aws.queueDepth(aws.queues.deadLetterUrl);
}

/**
 * The local SQS server applies a visibility change on its next tick, so
 * a released message may count as in flight for a moment.
 */
export async function deadLettersSettleAt(aws: TestAws, count: number) {
  await eventually(async () =>
    (await deadLetterCount(aws)) === count ? true : undefined,
  );
}

export async function emptyDeadLetters(aws: TestAws) {
  const url = aws.queues.deadLetterUrl;
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return;
    await aws.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle,
        })),
      }),
    );
  }
}
