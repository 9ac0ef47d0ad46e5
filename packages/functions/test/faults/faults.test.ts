/**
 * Random fault schedules for many users, checked against a model.
 *
 * Each schedule (schedule.ts) gives 2 to 6 users a Clerk life whose
 * deliveries are duplicated, reordered, delayed, dropped or refused,
 * page loads that create the record concurrently, and maybe a Stripe
 * life whose events arrive in any order; meanwhile DynamoDB refuses
 * connections and answers 500 for a while (a proxy in front of DynamoDB
 * Local), its calls stall, one or two consumers die in the middle of
 * batches. After it, with traffic restored and the DLQ redriven, the
 * table must hold exactly what the model says (model.ts). The real
 * parts are in rig.ts and harness.ts; late-sync.test.ts pins a race
 * the schedules reach only rarely.
 *
 * How many: FAULT_RUNS schedules, 16 by default (`npm test`);
 * `npm run test:faults` runs 200.
 *
 * Replaying a failure: the report names its seed and path, e.g.
 *   FAULT_SEED=1234 FAULT_PATH=17 npx vitest run packages/functions/test/faults
 * runs exactly that schedule again. Timing is real (queues, retries,
 * the visibility timeout), so a replay draws the same schedule but may
 * interleave it differently; run it a few times. FAULT_SHRINK=1 also
 * shrinks a failure to a smaller schedule, at several seconds a try.
 * SHOW_LOGS=1 prints the product's log lines.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runSchedule, type Stats } from "./harness.js";
import { violations } from "./model.js";
import { startRig, type Rig } from "./rig.js";
import { failureReport } from "./report.js";
import { scheduleArb } from "./schedule.js";

const runs = Number(process.env.FAULT_RUNS ?? 16);
const seed = process.env.FAULT_SEED
  ? Number(process.env.FAULT_SEED)
  : Date.now() % 2 ** 31;
const path = process.env.FAULT_PATH || undefined;
const shrink = process.env.FAULT_SHRINK === "1";

let rig: Rig;
const totals: Stats & { schedules: number } = {
  schedules: 0,
  refusedRequests: 0,
  slowCalls: 0,
  crashes: 0,
  heldAttempts: 0,
  redriven: 0,
};

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.stop();
  console.info(`fault schedules: ${JSON.stringify(totals)}`);
});

describe("provisioning under random fault schedules", () => {
  it(
    "ends with one record per user, the newest profile, tombstones " +
      "kept, Stripe's membership and every accepted event applied",
    async () => {
      const property = fc.asyncProperty(scheduleArb, async (schedule) => {
        const { seen, stats } = await runSchedule(rig, schedule);
        totals.schedules += 1;
        for (const key of Object.keys(stats) as Array<keyof Stats>) {
          totals[key] += stats[key];
        }
        const found = violations(schedule, seen);
        if (found.length) throw new Error(found.join("\n"));
      });
      const details = await fc.check(property, {
        numRuns: runs,
        seed,
        path,
        endOnFailure: !shrink,
      });
      if (details.failed) throw new Error(failureReport(details));
    },
    runs * 20_000 + 60_000,
  );
});
