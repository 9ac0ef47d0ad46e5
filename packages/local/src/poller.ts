import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { ProvisionQueue } from "@app/core/settings";

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export type Poller = {
  /** Resolves once no batch is in flight and the loop has ended. */
  stop(): Promise<void>;
  readonly running: boolean;
};

/**
 * Feeds a queue to a batch handler the way Lambda's SQS event source
 * mapping does: batches of up to 10, successes deleted, reported failures
 * left to reappear after the visibility timeout (SQS's redrive policy moves
 * them to the DLQ after maxReceiveCount receives). A handler that throws
 * fails the whole batch.
 */
export function startPoller(options: {
  client: SQSClient;
  queueUrl: string;
  handler: BatchHandler;
  batchSize?: number;
  visibilityTimeoutSeconds?: number;
  waitTimeSeconds?: number;
  onError?: (error: unknown) => void;
}): Poller {
  const { client, queueUrl, handler } = options;
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    let arn: string | undefined;
    while (running) {
      try {
        arn ??= await queueArn(client, queueUrl);
        const messages = await receive(client, queueUrl, options);
        if (messages.length === 0 || !running) continue;
        const failed = await invoke(handler, messages, arn);
        await deleteSucceeded(client, queueUrl, messages, failed);
      } catch (error) {
        options.onError?.(error);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1_000);
        });
      }
    }
  })();
  return {
    get running() {
      return running;
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

async function receive(
  client: SQSClient,
  queueUrl: string,
  options: {
    batchSize?: number;
    visibilityTimeoutSeconds?: number;
    waitTimeSeconds?: number;
  },
): Promise<Message[]> {
  const result = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.batchSize ?? ProvisionQueue.batchSize,
      VisibilityTimeout: options.visibilityTimeoutSeconds,
      WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      // AttributeNames is deprecated but still honoured by SQS, and it is
      // the only spelling the local SQS server reads.
      AttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
  );
  return result.Messages ?? [];
}

async function invoke(
  handler: BatchHandler,
  messages: Message[],
  arn: string,
): Promise<Set<string>> {
  const event: SQSEvent = { Records: messages.map((m) => toRecord(m, arn)) };
  try {
    const result = await handler(event);
    return new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  } catch {
    return new Set(messages.map((message) => message.MessageId!));
  }
}

async function deleteSucceeded(
  client: SQSClient,
  queueUrl: string,
  messages: Message[],
  failed: Set<string>,
) {
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length === 0) return;
  const result = await client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: done.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle!,
      })),
    }),
  );
  // An undeleted message is received again: harmless, but worth a line.
  if (result.Failed?.length) {
    throw new Error(`${result.Failed.length} processed messages not deleted`);
  }
}

/** An SQS message in the shape Lambda's event source mapping delivers. */
export function toRecord(message: Message, arn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        stringValue: value.StringValue,
        dataType: value.DataType ?? "String",
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: "us-east-1",
  };
}

async function queueArn(client: SQSClient, queueUrl: string) {
  const result = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["QueueArn"],
    }),
  );
  return result.Attributes?.QueueArn ?? queueUrl;
}
