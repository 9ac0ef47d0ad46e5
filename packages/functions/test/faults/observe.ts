import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { currentState } from "@app/core/stripe";
import { queuedMessages } from "../../../local/src/resources.js";
import { logLines } from "../../../../test/support/logs.js";
import type { Run } from "./harness.js";
import type { Observed } from "./model.js";

const appliedLines = ["message applied", "unknown subscription status"];

/**
 * Reads what the schedule left: the table straight from DynamoDB Local,
 * the queues, Stripe's own state and the consumer's log lines.
 */
export async function observe(run: Run): Promise<Observed> {
  const applied = new Map<string, string[]>();
  const permanentFailures: string[] = [];
  for (const line of logLines()) {
    if (appliedLines.includes(line.message) && line.eventId) {
      applied.set(line.eventId, [
        ...(applied.get(line.eventId) ?? []),
        line.outcome,
      ]);
    }
    if (line.message === "message failed" && line.failure === "permanent") {
      permanentFailures.push(line.data?.eventId ?? line.messageId);
    }
  }
  return {
    ...run.seen,
    userIds: run.userIds,
    stripe: await Promise.all(
      run.seen.stripe.map(async (seen) => ({
        ...seen,
        truth: seen.customerId
          ? await truthFor(run, seen.customerId)
          : undefined,
      })),
    ),
    items: await scan(run),
    queued: await queuedMessages(run.rig.sqs, run.queues.queueUrl),
    deadLetters: await deadLetters(run),
    applied,
    permanentFailures,
    errors: run.timeline.failures.map((error) =>
      error instanceof Error
        ? `action failed: ${error.name}: ${error.message}`
        : `action failed: ${String(error)}`,
    ),
  };
}

/** What the product should show: Stripe's subscriptions read now. */
async function truthFor(run: Run, customer: string) {
  const subscriptions = [];
  for await (const subscription of run.stripe.subscriptions.list({
    customer,
    status: "all",
    limit: 100,
  })) {
    subscriptions.push(subscription);
  }
  return currentState(subscriptions);
}

async function scan(run: Run) {
  const items: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await run.rig.direct.send(
      new ScanCommand({
        TableName: run.table,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The DLQ's messages, by their ids only: bodies hold personal data. */
async function deadLetters(run: Run) {
  const found: Observed["deadLetters"] = [];
  const expected = await queuedMessages(run.rig.sqs, run.queues.deadLetterUrl);
  for (let tries = 0; found.length < expected && tries < 20; tries++) {
    const result = await run.rig.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: run.queues.deadLetterUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    for (const message of result.Messages ?? []) {
      const envelope = JSON.parse(message.Body ?? "{}");
      found.push({
        eventId: envelope.eventId,
        stripeCustomerId: envelope.payload?.stripeCustomerId,
      });
    }
  }
  return found;
}
