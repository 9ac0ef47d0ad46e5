import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { describeDeadLetter, type DeadLetter } from "./dead-letter";
import { OpsError } from "./errors";
import type { Queues } from "./target";

export type Peek = {
  /** Messages the DLQ reported before the peek. */
  approximateCount: number;
  messages: DeadLetter[];
};

/**
 * Lists up to `max` dead letters without consuming them: each is hidden
 * while the list is read, then made visible again at once.
 */
export async function peek(
  sqs: SQSClient,
  deadLetterUrl: string,
  options: { max?: number } = {},
): Promise<Peek> {
  const approximateCount = await depth(sqs, deadLetterUrl);
  const walk = await receiveAll(sqs, deadLetterUrl, {
    max: options.max ?? 100,
    expected: approximateCount,
  });
  await walk.release();
  const now = Date.now();
  return {
    approximateCount,
    messages: walk.messages.map((m) => describeDeadLetter(m, now)),
  };
}

/** Deletes one dead letter by message id; undefined when not found. */
export async function remove(
  sqs: SQSClient,
  deadLetterUrl: string,
  messageId: string,
): Promise<DeadLetter | undefined> {
  const walk = await receiveAll(sqs, deadLetterUrl, {
    max: 10_000,
    expected: await depth(sqs, deadLetterUrl),
    until: (message) => message.MessageId === messageId,
  });
  const found = walk.messages.find((m) => m.MessageId === messageId);
  try {
    if (!found) return undefined;
    await sqs.send(
      new DeleteMessageCommand({
        QueueUrl: deadLetterUrl,
        ReceiptHandle: found.ReceiptHandle,
      }),
    );
    return describeDeadLetter(found);
  } finally {
    await walk.release(found);
  }
}

export type Redrive = {
  status: string;
  moved: number;
  toMove: number;
  /** Dead letters left once the move ended. */
  left: number;
};

/**
 * Moves every dead letter back to the provision queue with SQS's own
 * move task, and follows the task until it ends. The task runs inside
 * SQS: stopping this command does not stop the move.
 */
export async function redrive(
  sqs: SQSClient,
  queues: Queues,
  options: {
    onProgress?: (task: Redrive) => void;
    pollMs?: number;
  } = {},
): Promise<Redrive> {
  const [sourceArn, destinationArn] = await Promise.all([
    arnOf(sqs, queues.deadLetterUrl),
    arnOf(sqs, queues.queueUrl),
  ]);
  if ((await tasks(sqs, sourceArn)).some((t) => t.Status === "RUNNING")) {
    throw new OpsError("a redrive of this DLQ is already running");
  }
  const toMove = await depth(sqs, queues.deadLetterUrl, true);
  if (toMove === 0) return { status: "EMPTY", moved: 0, toMove, left: 0 };
  // The destination is named rather than left to each message's
  // recorded source, so a message sent to the DLQ by hand moves too.
  await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
    }),
  );
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    // The newest task comes first, and only one may run per queue.
    const [task] = await tasks(sqs, sourceArn);
    const progress = {
      status: task?.Status ?? "UNKNOWN",
      moved: task?.ApproximateNumberOfMessagesMoved ?? 0,
      toMove: task?.ApproximateNumberOfMessagesToMove ?? toMove,
      left: await depth(sqs, queues.deadLetterUrl),
    };
    options.onProgress?.(progress);
    if (progress.status === "RUNNING" || progress.status === "CANCELLING") {
      continue;
    }
    if (progress.status !== "COMPLETED") {
      const reason = task?.FailureReason ? `: ${task.FailureReason}` : "";
      throw new OpsError(`redrive ${progress.status.toLowerCase()}${reason}`);
    }
    return progress;
  }
}

async function tasks(
  sqs: SQSClient,
  sourceArn: string,
): Promise<ListMessageMoveTasksResultEntry[]> {
  const result = await sqs.send(
    new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
  );
  return result.Results ?? [];
}

/**
 * Messages waiting in a queue, not counting those in flight. With
 * `delayed`, also those not yet visible after sending: the local SQS
 * server holds every new message back for a moment.
 */
async function depth(
  sqs: SQSClient,
  queueUrl: string,
  delayed = false,
): Promise<number> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const counts = result.Attributes ?? {};
  return (
    Number(counts.ApproximateNumberOfMessages ?? 0) +
    (delayed ? Number(counts.ApproximateNumberOfMessagesDelayed ?? 0) : 0)
  );
}

async function arnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["QueueArn"],
    }),
  );
  const arn = result.Attributes?.QueueArn;
  if (!arn) throw new OpsError(`no ARN for ${queueUrl}`);
  return arn;
}

// Long enough to read a whole DLQ page by page; should this process die
// before it releases them, the messages reappear on their own this soon.
const hideSeconds = 30;

/**
 * Receives distinct messages until `max`, `until` or an empty answer.
 * A visibility timeout of 0 would hand back the same ten messages on
 * every call, so each is hidden briefly and released afterwards.
 */
async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  options: {
    max: number;
    expected: number;
    until?: (message: Message) => boolean;
  },
) {
  const seen = new Map<string, Message>();
  const handles: string[] = [];
  const release = async (except?: Message) => {
    const hidden = handles.filter((h) => h !== except?.ReceiptHandle);
    await showAgain(sqs, queueUrl, hidden);
  };
  try {
    while (seen.size < options.max) {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - seen.size),
          VisibilityTimeout: hideSeconds,
          // Long polling asks every SQS server, so a short queue is
          // not reported empty by chance; an empty queue costs 1 s.
          WaitTimeSeconds: seen.size < options.expected ? 1 : 0,
          AttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      const received = result.Messages ?? [];
      handles.push(...received.map((m) => m.ReceiptHandle!));
      const fresh = received.filter((m) => !seen.has(m.MessageId!));
      for (const message of fresh) seen.set(message.MessageId!, message);
      if (fresh.length === 0 || fresh.some((m) => options.until?.(m))) break;
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { messages: [...seen.values()], release };
}

/** Makes hidden messages visible again, ten per request. */
async function showAgain(sqs: SQSClient, queueUrl: string, handles: string[]) {
  for (let i = 0; i < handles.length; i += 10) {
    // A handle that went stale is simply visible already.
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: handles.slice(i, i + 10).map((handle, n) => ({
          Id: String(n),
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}
