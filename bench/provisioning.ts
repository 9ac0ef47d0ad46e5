import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { ms, type Benchmark } from "./support/benchmark";
import { sleep } from "./support/load";
import { seededRandom } from "./support/random";
import { post, signUpDelivery } from "./support/signups";
import type { BenchStack } from "./support/stack";
import { summarize } from "./support/stats";

const steady = { signUps: 200, spacingMs: 50 };
/** One at a time, after a seeded random pause of up to a second. */
const alone = { signUps: 12, maxPauseMs: 1_000, seed: 7 };
const pollEveryMs = 10;
/** A record not readable by then counts as never provisioned. */
const giveUpMs = 30_000;

type Samples = { latencies: number[]; rejected: number; unreadable: number };

/**
 * Provisioning latency: from the webhook's 200 to the first strongly
 * consistent read that finds the record, for sign-ups arriving at a
 * steady rate (open loop) and for sign-ups arriving alone.
 */
export const provisioning: Benchmark = {
  name: "provisioning",
  title: "2. provisioning latency",
  needs: "pipeline",
  async run(context) {
    const stack = context.stack();
    const watcher = watchRecords(stack);
    const samples: Samples = { latencies: [], rejected: 0, unreadable: 0 };
    const lone: Samples = { latencies: [], rejected: 0, unreadable: 0 };
    try {
      const sends = Array.from({ length: steady.signUps }, async (_, i) => {
        await sleep(i * steady.spacingMs);
        await measure(stack, watcher, samples);
      });
      await Promise.all(sends);
      await stack.waitForEmptyQueue(60_000);
      const random = seededRandom(alone.seed);
      for (let i = 0; i < alone.signUps; i++) {
        // Spreads the sends over the poller's receive cycle.
        await sleep(random() * alone.maxPauseMs);
        await measure(stack, watcher, lone);
      }
    } finally {
      await watcher.stop();
    }
    await stack.waitForEmptyQueue(60_000);

    const latency = summarize(samples.latencies);
    const loneLatency = summarize(lone.latencies);
    return {
      method:
        `${steady.signUps} signed user.created deliveries, one every ` +
        `${steady.spacingMs} ms, then ${alone.signUps} sent alone (each ` +
        "after the previous record was readable and a seeded random " +
        `pause of up to ${alone.maxPauseMs} ms). Latency: the webhook's ` +
        "200 to the answer of the first ConsistentRead BatchGetItem " +
        "that holds the record; pending users are read every " +
        `${pollEveryMs} ms, so figures carry about that much resolution. ` +
        "The local poller asks for batches of 10 with a 1 s long poll, " +
        "and the local SQS server answers a long poll early only when " +
        "the batch is full (AWS answers as soon as a message is there), " +
        "so these figures are the offline stack's, not AWS's.",
      parameters: { steady, alone, pollEveryMs, giveUpMs },
      figures: {
        steadyLatencyMs: latency,
        aloneLatencyMs: loneLatency,
        rejected: samples.rejected + lone.rejected,
        unreadable: samples.unreadable + lone.unreadable,
      },
      rows: [
        [
          `accepted → readable, ${1000 / steady.spacingMs} sign-ups/s, ` +
            "p50 / p99",
          `${ms(latency.p50)} / ${ms(latency.p99)}`,
        ],
        [
          `accepted → readable, one alone (${alone.signUps}), p50 / max`,
          `${ms(loneLatency.p50)} / ${ms(loneLatency.max)}`,
        ],
        [
          "refused / not readable within 30 s",
          `${samples.rejected + lone.rejected} / ` +
            `${samples.unreadable + lone.unreadable}`,
        ],
      ],
    };
  },
};

type Watcher = ReturnType<typeof watchRecords>;

async function measure(stack: BenchStack, watcher: Watcher, into: Samples) {
  const delivery = signUpDelivery(stack.secret);
  const status = await post(stack.webhookUrl, delivery);
  const acceptedAt = performance.now();
  if (status !== 200) return void (into.rejected += 1);
  const readableAt = await watcher.readable(delivery.userId);
  if (readableAt === undefined) into.unreadable += 1;
  else into.latencies.push(readableAt - acceptedAt);
}

type Wait = { since: number; settle(at?: number): void };

/**
 * Reads every user still waiting for a record in one BatchGetItem per
 * round (up to 100 keys each) and settles each wait with the time the
 * answer that held its record arrived, or undefined after `giveUpMs`.
 */
function watchRecords(stack: BenchStack) {
  const waiting = new Map<string, Wait>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const userIds = [...waiting.keys()];
      for (let i = 0; i < userIds.length; i += 100) {
        const found = await present(stack, userIds.slice(i, i + 100)).catch(
          // A failed read is tried again next round, like unprocessed keys.
          () => [],
        );
        const at = performance.now();
        for (const userId of found) {
          waiting.get(userId)?.settle(at);
          waiting.delete(userId);
        }
      }
      for (const [userId, wait] of waiting) {
        if (performance.now() - wait.since < giveUpMs) continue;
        wait.settle(undefined);
        waiting.delete(userId);
      }
      await sleep(pollEveryMs);
    }
  })();
  return {
    readable(userId: string): Promise<number | undefined> {
      return new Promise((settle) =>
        waiting.set(userId, { since: performance.now(), settle }),
      );
    },
    stop() {
      running = false;
      return loop;
    },
  };
}

async function present(stack: BenchStack, userIds: string[]) {
  const result = await stack.db.send(
    new BatchGetCommand({
      RequestItems: {
        [stack.table]: {
          Keys: userIds.map((userId) => ({ userId })),
          ConsistentRead: true,
          ProjectionExpression: "userId",
        },
      },
    }),
  );
  const items = result.Responses?.[stack.table] ?? [];
  // Unprocessed keys are simply read again on the next round.
  return items.map((item) => String(item.userId));
}
