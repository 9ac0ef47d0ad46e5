import { randomBytes } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import type Stripe from "stripe";
import { isTracked, stripeClient } from "@app/core/stripe";
import { startPoller, type Poller } from "../../../local/src/poller.js";
import {
  ensureQueues,
  ensureTable,
  type QueueUrls,
} from "../../../local/src/resources.js";
import {
  startStripeStandIn,
  type StripeStandIn,
} from "../../../local/src/stripe-api/index.js";
import { consumerConfig } from "../../src/consumer-config.js";
import { clearLogs } from "../../../../test/support/logs.js";
import { clerkBody } from "./clerk-body.js";
import {
  deliverClerk,
  deliverStripe,
  stripeSecret,
  visit,
  webhooksFor,
  type Webhooks,
} from "./deliveries.js";
import type { Observed } from "./model.js";
import { observe } from "./observe.js";
import { recover } from "./recover.js";
import type { Rig } from "./rig.js";
import {
  lateSlot,
  modeAt,
  slownessAt,
  type Schedule,
  type Slowness,
  type When,
} from "./schedule.js";
import { stripeLife } from "./stripe-life.js";
import { Timeline } from "./timeline.js";

/** How much went wrong in a schedule: proof that faults were hit. */
export type Stats = {
  refusedRequests: number;
  slowCalls: number;
  crashes: number;
  heldAttempts: number;
  redriven: number;
};

/** One schedule's own table, queues, Stripe and what it saw so far. */
export type Run = {
  schedule: Schedule;
  rig: Rig;
  userIds: string[];
  table: string;
  queues: QueueUrls;
  standIn: StripeStandIn;
  stripe: Stripe;
  timeline: Timeline;
  webhooks: Webhooks;
  /** Attempts that arrive after the first drain. */
  held: Array<() => Promise<void>>;
  /** Each user's subscription ids, oldest first. */
  subscriptions: string[][];
  seen: Pick<Observed, "answers" | "pages" | "stripe" | "clerkEventIds">;
  /** Faults apply while the schedule runs, never during recovery. */
  faulty: boolean;
  stats: Stats;
  own(stripeCustomerId: string, user: number): void;
  collectStripeEvents(): void;
};

/** Runs one schedule against the real parts and reports what it left. */
export async function runSchedule(
  rig: Rig,
  schedule: Schedule,
): Promise<{ seen: Observed; stats: Stats }> {
  clearLogs();
  rig.proxy.clear();
  const tag = randomBytes(4).toString("hex");
  const table = `faults-${tag}`;
  await ensureTable(rig.dynamoEndpoint, table);
  process.env.CUSTOMERS_TABLE = table;
  const queues = await ensureQueues(
    rig.sqsEndpoint,
    { queue: `faults-${tag}`, deadLetter: `faults-dlq-${tag}` },
    1,
  );
  const standIn = await startStripeStandIn({
    deliver: "manual",
    webhook: { url: "http://localhost:9/unused", secret: stripeSecret },
  });
  const pollers: Poller[] = [];
  try {
    const run = newRun(rig, schedule, { tag, table, queues, standIn });
    pollers.push(...startConsumers(run));
    plan(run);
    await run.timeline.run();
    run.faulty = false;
    rig.proxy.setMode("forward");
    await recover(run);
    run.stats.refusedRequests = rig.proxy
      .requests()
      .filter((request) => request.handled !== "forward").length;
    return { seen: await observe(run), stats: run.stats };
  } finally {
    rig.proxy.setMode("forward");
    rig.setLatency(() => 0);
    await Promise.all(pollers.map((poller) => poller.stop()));
    await standIn.stop();
    await rig.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.queueUrl }));
    await rig.sqs.send(
      new DeleteQueueCommand({ QueueUrl: queues.deadLetterUrl }),
    );
    await rig.direct.send(new DeleteTableCommand({ TableName: table }));
  }
}

function newRun(
  rig: Rig,
  schedule: Schedule,
  parts: Pick<Run, "table" | "queues" | "standIn"> & { tag: string },
): Run {
  const { standIn } = parts;
  const userIds = schedule.users.map((_, i) => `user_fault${parts.tag}u${i}`);
  const owners = new Map<string, number>();
  const emitted = schedule.users.map(() => 0);
  let cursor = 0;
  let slow: Slowness | undefined;
  let calls = 0;
  rig.setLatency(() => {
    if (!slow || !run.faulty) return 0;
    run.stats.slowCalls += 1;
    return slow.delaysMs[calls++ % slow.delaysMs.length]!;
  });
  const run: Run = {
    ...parts,
    schedule,
    rig,
    userIds,
    webhooks: webhooksFor(rig, parts.queues.queueUrl),
    stripe: stripeClient({ secretKey: standIn.secretKey, apiUrl: standIn.url }),
    timeline: new Timeline(schedule.gapsMs, (slot) => {
      rig.proxy.setMode(modeAt(schedule, slot));
      slow = slownessAt(schedule, slot);
    }),
    held: [],
    subscriptions: schedule.users.map(() => []),
    seen: {
      answers: [],
      pages: [],
      stripe: schedule.users.map(() => ({ eventIds: [] })),
      clerkEventIds: schedule.users.map((user, i) =>
        user.clerk.map((_, j) => `msg_fault${parts.tag}u${i}e${j}`),
      ),
    },
    faulty: true,
    stats: {
      refusedRequests: 0,
      slowCalls: 0,
      crashes: 0,
      heldAttempts: 0,
      redriven: 0,
    },
    own(stripeCustomerId, user) {
      owners.set(stripeCustomerId, user);
      run.seen.stripe[user]!.customerId = stripeCustomerId;
    },
    // Each new Stripe event gets the delivery plan of its user's n-th
    // event, counted from the moment it was emitted.
    collectStripeEvents() {
      const events = standIn.events();
      // Only what the webhook queues: the rest (customer.created, ...)
      // is answered 200 and dropped, and has no owner to plan for.
      const tracked = events.slice(cursor).filter((e) => isTracked(e.type));
      cursor = events.length;
      for (const event of tracked) {
        const object = event.data.object as { customer?: unknown };
        const user = owners.get(String(object.customer));
        if (user === undefined) {
          throw new Error(`Stripe event ${event.id} for an unknown customer`);
        }
        const deliveries = schedule.users[user]!.stripe!.deliveries;
        const attempts = deliveries[emitted[user]! % deliveries.length]!;
        emitted[user]! += 1;
        run.seen.stripe[user]!.eventIds.push(event.id);
        for (const { after, fate } of attempts) {
          const slot =
            after === "held"
              ? after
              : Math.min(run.timeline.slot + after, lateSlot);
          later(run, slot, () => deliverStripe(run, user, event, fate));
        }
      }
    },
  };
  return run;
}

function later(run: Run, slot: When, action: () => Promise<void>) {
  if (slot === "held") run.held.push(action);
  else run.timeline.at(slot, action);
}

/**
 * One poller per consumer. While the schedule runs, an invocation may
 * die after `k` records, as a Lambda that crashes or times out: nothing
 * of its batch is acknowledged, so the records it did apply come back.
 */
function startConsumers(run: Run): Poller[] {
  let invocation = 0;
  const deathAfter = () =>
    run.faulty ? (run.schedule.crashes[invocation++] ?? null) : null;
  return run.rig.consumers
    .slice(0, run.schedule.consumers)
    .map((createHandler) => {
      const handler = createHandler(() =>
        consumerConfig({
          CUSTOMERS_TABLE: run.table,
          STRIPE_SECRET_KEY: run.standIn.secretKey,
          STRIPE_API_URL: run.standIn.url,
        }),
      );
      return startPoller({
        client: run.rig.sqs,
        queueUrl: run.queues.queueUrl,
        waitTimeSeconds: 0,
        handler: async (event) => {
          const k = deathAfter();
          if (k === null) return handler(event);
          run.stats.crashes += 1;
          const records = event.Records.slice(0, k);
          if (records.length) await handler({ Records: records });
          throw new Error(`consumer died after ${records.length} records`);
        },
      });
    });
}

function plan(run: Run) {
  run.schedule.users.forEach((user, i) => {
    user.clerk.forEach((event, j) => {
      const body = clerkBody(run.userIds[i]!, i, event);
      for (const { slot, fate } of event.attempts) {
        later(run, slot, () => deliverClerk(run, i, j, body, fate));
      }
    });
    for (const page of user.pages) {
      run.timeline.at(page.slot, () => visit(run, i, page.tabs));
    }
    run.timeline.start(() => stripeLife(run, i));
  });
  const at = run.schedule.clockAdvanceAt;
  if (at !== null) {
    run.timeline.at(at, async () => {
      run.standIn.advanceClock(40 * 24 * 3600);
      run.collectStripeEvents();
    });
  }
}
