import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { inject } from "vitest";
import { localAwsEnv } from "../../packages/local/src/aws.js";
import {
  ensureQueues,
  ensureTable,
  queuedMessages,
  type QueueUrls,
} from "../../packages/local/src/resources.js";

export type TestAws = {
  table: string;
  queues: QueueUrls;
  sqs: SQSClient;
  db: DynamoDBDocumentClient;
  items(): Promise<Array<Record<string, any>>>;
  queueDepth(url: string): Promise<number>;
  drain(url: string): Promise<Array<{ body: string; receiveCount: number }>>;
  /** Receives until the queue is empty; the bodies, in order received. */
  drainAll(url: string): Promise<string[]>;
};

/**
 * Points this test file's process at the run's DynamoDB Local and SQS
 * server, with a table and queues of its own.
 */
export async function useLocalAws(
  options: { visibilityTimeoutSeconds?: number } = {},
): Promise<TestAws> {
  const suffix = randomBytes(4).toString("hex");
  const table = `customers-${suffix}`;
  Object.assign(process.env, {
    ...localAwsEnv,
    AWS_ENDPOINT_URL_DYNAMODB: inject("dynamoEndpoint"),
    AWS_ENDPOINT_URL_SQS: inject("sqsEndpoint"),
    CUSTOMERS_TABLE: table,
  });
  await ensureTable(inject("dynamoEndpoint"), table);
  const queues = await ensureQueues(
    inject("sqsEndpoint"),
    { queue: `provision-${suffix}`, deadLetter: `provision-dlq-${suffix}` },
    options.visibilityTimeoutSeconds,
  );
  process.env.PROVISION_QUEUE_URL = queues.queueUrl;
  const sqs = new SQSClient({});
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const drain: TestAws["drain"] = async (url) => {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    return (result.Messages ?? []).map((message) => ({
      body: message.Body ?? "",
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount),
    }));
  };
  return {
    table,
    queues,
    sqs,
    db,
    async items() {
      const result = await db.send(
        new ScanCommand({ TableName: table, ConsistentRead: true }),
      );
      return result.Items ?? [];
    },
    queueDepth: (url) => queuedMessages(sqs, url),
    drain,
    async drainAll(url) {
      const bodies: string[] = [];
      for (;;) {
        const batch = await drain(url);
        if (batch.length === 0) return bodies;
        bodies.push(...batch.map((message) => message.body));
      }
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
