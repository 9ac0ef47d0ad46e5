import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { queuedMessages } from "@app/local/resources";
import type { Benchmark } from "./support/benchmark";
import { forEachConcurrently, sleep } from "./support/load";
import { post, signUpDelivery, type Delivery } from "./support/signups";
import type { BenchStack } from "./support/stack";
import { round } from "./support/stats";

const signUps = 10_000;
const concurrency = 64;
/** Svix retries a failed delivery; three quick tries stand in for that. */
const attempts = 3;
const drainTimeoutMs = 300_000;

/**
 * 10,000 sign-ups at once: every `user.created` delivery posted as fast
 * as 64 connections allow, then the time until the queue is empty, and
 * a count of the records against the accepted deliveries.
 */
export const burst: Benchmark = {
  name: "burst",
  title: "3. burst of 10,000 sign-ups",
  needs: "pipeline",
  async run(context) {
    const stack = context.stack();
    const deliveries = Array.from({ length: signUps }, () =>
      signUpDelivery(stack.secret),
    );
    const depth = sampleDepth(stack);
    const start = performance.now();
    const sent = await sendAll(stack, deliveries);
    const sentMs = performance.now() - start;
    await stack.waitForEmptyQueue(drainTimeoutMs);
    const drainMs = performance.now() - start;
    const peakDepth = await depth.stop();

    const accepted = deliveries.filter((d) => sent.accepted.has(d.svixId));
    const stored = await storedUserIds(stack);
    const lost = accepted.filter((d) => !stored.has(d.userId)).length;
    const applies = await appliesByEvent(stack, accepted);
    const redelivered = [...applies.perEvent.values()].filter((n) => n > 1);
    const duplicated = [...applies.createdPerUser.values()].filter(
      (n) => n > 1,
    ).length;
    const deadLetters = await queuedMessages(
      stack.sqs,
      stack.queues.deadLetterUrl,
    );

    return {
      method:
        `${signUps} signed user.created deliveries for distinct new users, ` +
        `posted with ${concurrency} in flight (a non-200 is tried again, ` +
        `up to ${attempts} tries, as Svix would); drain is the time from ` +
        "the first post until the provision queue holds nothing waiting " +
        "or in flight. Lost: accepted deliveries whose user has no record " +
        "(a consistent Scan afterwards). Duplicated: users the consumer " +
        "logged as created more than once; redelivered: messages the " +
        "consumer applied more than once (from its log lines).",
      parameters: { signUps, concurrency, attempts },
      figures: {
        sendMs: round(sentMs),
        drainMs: round(drainMs),
        ingressPerSecond: round(signUps / (sentMs / 1000)),
        drainPerSecond: round(signUps / (drainMs / 1000)),
        accepted: accepted.length,
        retried: sent.retried,
        refused: signUps - accepted.length,
        lost,
        duplicated,
        redelivered: redelivered.length,
        appliedLogLines: applies.lines,
        deadLetters,
        peakQueueDepth: peakDepth,
      },
      rows: [
        [
          "time to drain (first post → queue empty)",
          `${(drainMs / 1000).toFixed(1)} s ` +
            `(${(signUps / (drainMs / 1000)).toFixed(0)} sign-ups/s)`,
        ],
        [
          "all posted / peak queue depth",
          `${(sentMs / 1000).toFixed(1)} s / ${peakDepth}`,
        ],
        [
          "accepted / lost / duplicated",
          `${accepted.length} / ${lost} / ${duplicated}`,
        ],
        [
          "redelivered / in DLQ (consumer log lines read)",
          `${redelivered.length} / ${deadLetters} (${applies.lines})`,
        ],
      ],
    };
  },
};

async function sendAll(stack: BenchStack, deliveries: Delivery[]) {
  const accepted = new Set<string>();
  let retried = 0;
  await forEachConcurrently(deliveries, concurrency, async (delivery) => {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const status = await post(stack.webhookUrl, delivery).catch(() => 0);
      if (status === 200) return void accepted.add(delivery.svixId);
      if (attempt === attempts) return;
      retried += 1;
      await sleep(1_000);
    }
  });
  return { accepted, retried };
}

/** Queue depth every 100 ms while the burst runs; returns the peak. */
function sampleDepth(stack: BenchStack) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const depth = await queuedMessages(
        stack.sqs,
        stack.queues.queueUrl,
      ).catch(() => 0);
      peak = Math.max(peak, depth);
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function storedUserIds(stack: BenchStack): Promise<Set<string>> {
  const userIds = new Set<string>();
  let from: Record<string, unknown> | undefined;
  do {
    const page = await stack.db.send(
      new ScanCommand({
        TableName: stack.table,
        ConsistentRead: true,
        ProjectionExpression: "userId",
        ExclusiveStartKey: from,
      }),
    );
    for (const item of page.Items ?? []) userIds.add(String(item.userId));
    from = page.LastEvaluatedKey;
  } while (from);
  return userIds;
}

/**
 * The consumer logs one "message applied" line per message it applied,
 * with the Svix id and the outcome; counted here for this burst only.
 */
async function appliesByEvent(stack: BenchStack, accepted: Delivery[]) {
  // The stack's output reaches its log file a moment after the write.
  await sleep(500);
  const ours = new Set(accepted.map((d) => d.svixId));
  const perEvent = new Map<string, number>();
  const createdPerUser = new Map<string, number>();
  let lines = 0;
  for (const line of stack.log().split("\n")) {
    if (!line.includes('"message applied"')) continue;
    const entry = parseLine(line);
    if (!entry || !ours.has(String(entry.eventId))) continue;
    lines += 1;
    const eventId = String(entry.eventId);
    perEvent.set(eventId, (perEvent.get(eventId) ?? 0) + 1);
    if (entry.outcome === "created") {
      const userId = String(entry.userId);
      createdPerUser.set(userId, (createdPerUser.get(userId) ?? 0) + 1);
    }
  }
  return { perEvent, createdPerUser, lines };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
