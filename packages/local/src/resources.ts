import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  CustomersTable,
  maxMessageBytes,
  ProvisionQueue,
} from "@app/core/settings";
import { localAws } from "./aws";


/** Creates the customers table, keyed as the deployed one, if missing. */
export async function ensureTable(endpoint: string, name: string) {
  const client = new DynamoDBClient({ endpoint, ...localAws });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: CustomersTable.partitionKey, AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: CustomersTable.partitionKey, KeyType: "HASH" },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await client.send(new DescribeTableCommand({ TableName: name }));
  client.destroy();
}

export type QueueUrls = {
  queueUrl: string;
  deadLetterUrl: string;
  deadLetterArn: string;
};

/**
 * Creates the provision queue and its DLQ with the deployed settings.
 * CreateQueue is idempotent for identical attributes.
 */
export async function ensureQueues(
  endpoint: string,
  names: { queue: string; deadLetter: string } = {
    queue: ProvisionQueue.name,
    deadLetter: ProvisionQueue.deadLetterName,
  },
  visibilityTimeoutSeconds: number = ProvisionQueue.visibilityTimeoutSeconds,
): Promise<QueueUrls> {
  const client = new SQSClient({ endpoint, ...localAws });
  const day = 24 * 60 * 60;
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: names.deadLetter,
      Attributes: {
        MessageRetentionPeriod: String(
          ProvisionQueue.deadLetterRetentionDays * day,
        ),
      },
    }),
  );
  const deadLetterUrl = dlq.QueueUrl!;
  const attributes = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: deadLetterUrl,
      AttributeNames: ["QueueArn"],
    }),
  );
  const deadLetterArn = attributes.Attributes!.QueueArn!;
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: names.queue,
      Attributes: {
        MessageRetentionPeriod: String(ProvisionQueue.retentionDays * day),
        MaximumMessageSize: String(maxMessageBytes),
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: ProvisionQueue.maxReceiveCount,
        }),
      },
    }),
  );
  client.destroy();
  return { queueUrl: queue.QueueUrl!, deadLetterUrl, deadLetterArn };
}

/**
 * Messages waiting, delayed or in flight. On AWS the counts are disjoint; the
 * local SQS server counts in-flight messages in both, which only matters
 * when the total is not zero, so "empty" means the same on both.
 */
export async function queuedMessages(
  sqs: SQSClient,
  queueUrl: string,
): Promise<number> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const counts = result.Attributes ?? {};
  // The emulator counts a message sent a moment ago as delayed until its
  // zero-second delay has run; left out, the queue would read empty.
  return (
    Number(counts.ApproximateNumberOfMessages ?? 0) +
    Number(counts.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(counts.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}
