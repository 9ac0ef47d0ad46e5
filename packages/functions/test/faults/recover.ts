import { queuedMessages } from "../../../local/src/resources.js";
import { redrive } from "../../../ops/src/dlq.js";
import type { Run } from "./harness.js";
import { sleep } from "./timeline.js";

/**
 * What follows the schedule once traffic is restored: every action
 * finishes, the queue drains, retries sent hours later arrive and
 * drain, then an operator redrives the DLQ and it drains once more.
 */
export async function recover(run: Run): Promise<void> {
  await run.timeline.settled();
  await drained(run);
  run.stats.heldAttempts = run.held.length;
  for (const attempt of run.held) await attempt();
  await drained(run);
  const moved = await redrive(run.rig.sqs, run.queues, { pollMs: 100 });
  run.stats.redriven = moved.moved;
  await drained(run);
}

/**
 * Waits until the queue holds nothing, in flight included: the poller
 * deletes a message only after its batch, so empty means applied or
 * moved to the DLQ (after five receives, a second apart).
 */
async function drained(run: Run, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depth = await queuedMessages(run.rig.sqs, run.queues.queueUrl);
    if (depth === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`queue still holds ${depth} messages after recovery`);
    }
    await sleep(50);
  }
}
