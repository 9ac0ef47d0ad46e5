import { ms, type Benchmark } from "./support/benchmark";
import { forEachConcurrently, timed } from "./support/load";
import { post, signUpDelivery } from "./support/signups";
import { round, summarize } from "./support/stats";

const concurrency = 16;
const warmUp = 200;
const measured = 3_000;

/**
 * Webhook ingress: signed `user.created` deliveries posted to the local
 * API Gateway front at a fixed number in flight; each answer is the real
 * handler verifying the signature and sending to the SQS server.
 */
export const ingress: Benchmark = {
  name: "ingress",
  title: "1. webhook ingress",
  needs: "pipeline",
  async run(context) {
    const stack = context.stack();
    const send = async (count: number) => {
      const deliveries = Array.from({ length: count }, () =>
        signUpDelivery(stack.secret),
      );
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      const wall = await timed(() =>
        forEachConcurrently(deliveries, concurrency, async (delivery) => {
          const { ms: took, value } = await timed(() =>
            post(stack.webhookUrl, delivery),
          );
          latencies.push(took);
          statuses.set(value, (statuses.get(value) ?? 0) + 1);
        }),
      );
      return { latencies, statuses, wallMs: wall.ms };
    };

    await send(warmUp);
    await stack.waitForEmptyQueue(60_000);
    const run = await send(measured);
    // Leave an empty queue to the next benchmark.
    await stack.waitForEmptyQueue(120_000);

    const latency = summarize(run.latencies);
    const throughput = round(measured / (run.wallMs / 1000));
    const accepted = run.statuses.get(200) ?? 0;
    return {
      method:
        `${measured} signed user.created deliveries (after ${warmUp} ` +
        `unmeasured) posted with ${concurrency} in flight to the offline ` +
        "stack's API front; latency is request sent to full answer read, " +
        "throughput is deliveries over wall time. The consumer runs " +
        "meanwhile on the same 2 cores, as it would drain a real queue.",
      parameters: { concurrency, warmUp, measured },
      figures: {
        latencyMs: latency,
        throughputPerSecond: throughput,
        statuses: Object.fromEntries(run.statuses),
        wallMs: round(run.wallMs),
      },
      rows: [
        ["latency p50 / p99", `${ms(latency.p50)} / ${ms(latency.p99)}`],
        [
          `throughput at ${concurrency} in flight`,
          `${throughput.toFixed(0)} deliveries/s`,
        ],
        ["answered 200", `${accepted} of ${measured}`],
      ],
    };
  },
};
