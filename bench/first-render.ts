import { startApi } from "@app/local/api";
import { freePort } from "@app/local/ports";
import { ensureTable } from "@app/local/resources";
import { renderBaselineDashboard } from "./baseline/page";
import { baselineWebhook } from "./baseline/webhook";
import type { Benchmark, Row } from "./support/benchmark";
import { sleep, timed } from "./support/load";
import { seededRandom } from "./support/random";
import { newEmail, post, signUpDelivery } from "./support/signups";
import type { BenchStack } from "./support/stack";
import { percent, summarize } from "./support/stats";

const delaysMs = [0, 1_000, 5_000];
const dropRate = 0.01;
const seed = 20_261_204;
const usersPerCondition = 200;
const spacingMs = 100;
/** When a person lands on the dashboard after the sign-up completes. */
const landAfterMs = 300;
const baselineTable = "baseline-customers";

type Condition = { delayMs: number; dropped: boolean[] };
type FirstRender = { ok: boolean; detail: string; ms?: number };

/**
 * The share of first dashboard renders that succeed, for this product
 * and for the template design, side by side under the same conditions:
 * the webhook arrives 0, 1 or 5 s after sign-up, and 1% of deliveries
 * (the same users for both, from a seeded random) never arrive.
 */
export const firstRender: Benchmark = {
  name: "first-render",
  title: "6. first render vs baseline",
  needs: "site",
  async run(context) {
    const stack = context.stack();
    await ensureTable(stack.dynamoEndpoint, baselineTable);
    const baselineApi = await startApi({
      port: await freePort(),
      routes: {
        "POST /webhooks/clerk": baselineWebhook({
          secret: stack.secret,
          table: baselineTable,
          db: stack.db,
        }),
      },
      health: async () => ({}),
    });
    const baselineUrl = `${baselineApi.url}/webhooks/clerk`;
    const conditions = [];
    try {
      for (const delayMs of delaysMs) {
        const dropped = droppedUsers(seededRandom(seed + delayMs));
        conditions.push(
          await runCondition(stack, baselineUrl, { delayMs, dropped }),
        );
      }
    } finally {
      await baselineApi.stop();
    }

    return {
      method:
        `Per condition, ${usersPerCondition} sign-ups, one every ` +
        `${spacingMs} ms, each run through both systems at once. ` +
        "Product: POST /local/sign-up on the offline front (the local " +
        "Clerk stand-in, which sends the signed user.created webhook " +
        "after the chosen delay, or never for a dropped one), then " +
        `${landAfterMs} ms after its answer a GET /dashboard with the ` +
        "new session; success is a 200 that shows the customer. " +
        "Baseline: the signed delivery is posted to a handler that " +
        "verifies it and writes the row directly (bench/baseline), after " +
        `the same delay unless dropped; ${landAfterMs} ms after sign-up ` +
        "its dashboard reads the row and fails when it is missing. " +
        `Drops: exactly ${dropRate * 100}% of each condition's users, ` +
        `drawn with a seeded random (seed ${seed} + delay), the same ` +
        "users for both systems.",
      parameters: {
        delaysMs,
        dropRate,
        seed,
        usersPerCondition,
        spacingMs,
        landAfterMs,
      },
      figures: { conditions },
      rows: conditions.map(
        (c): Row => [
          `webhook after ${c.delayMs / 1000} s, ${c.dropped} of ` +
            `${c.users} dropped: first renders OK, product / baseline`,
          `${c.product.percent}% / ${c.baseline.percent}%`,
        ],
      ),
    };
  },
};

/**
 * Exactly `dropRate` of the users lose their delivery; which ones is
 * drawn from the seeded random, so every run drops the same users.
 */
function droppedUsers(random: () => number): boolean[] {
  const count = Math.round(usersPerCondition * dropRate);
  const dropped = Array.from({ length: usersPerCondition }, () => false);
  let marked = 0;
  while (marked < count) {
    const index = Math.floor(random() * usersPerCondition);
    if (dropped[index]) continue;
    dropped[index] = true;
    marked += 1;
  }
  return dropped;
}

async function runCondition(
  stack: BenchStack,
  baselineUrl: string,
  condition: Condition,
) {
  const pending: Array<Promise<unknown>> = [];
  const users = condition.dropped.map(async (dropped, index) => {
    await sleep(index * spacingMs);
    const { delayMs } = condition;
    const [product, baseline] = await Promise.all([
      productFirstRender(stack, delayMs, dropped),
      baselineFirstRender(stack, baselineUrl, delayMs, dropped, pending),
    ]);
    return { product, baseline };
  });
  const renders = await Promise.all(users);
  await Promise.all(pending);
  // The front's own delayed webhooks: let them land before the next one.
  await sleep(condition.delayMs + 500);
  await stack.waitForEmptyQueue(60_000);
  return {
    delayMs: condition.delayMs,
    users: renders.length,
    dropped: condition.dropped.filter(Boolean).length,
    product: tallyRenders(renders.map((r) => r.product)),
    baseline: tallyRenders(renders.map((r) => r.baseline)),
  };
}

async function productFirstRender(
  stack: BenchStack,
  delayMs: number,
  dropped: boolean,
): Promise<FirstRender> {
  try {
    const signUp = await fetch(`${stack.siteUrl}/local/sign-up`, {
      method: "POST",
      body: new URLSearchParams({
        email: newEmail(),
        firstName: "Bench",
        webhook: dropped ? "never" : `delay:${delayMs}`,
      }),
      redirect: "manual",
    });
    await signUp.arrayBuffer();
    if (signUp.status !== 303) return failed(`sign-up ${signUp.status}`);
    const cookie = signUp.headers
      .getSetCookie()
      .map((line) => line.split(";")[0]!)
      .join("; ");
    await sleep(landAfterMs);
    const { ms, value: page } = await timed(async () => {
      const response = await fetch(`${stack.siteUrl}/dashboard`, {
        headers: { cookie },
        redirect: "manual",
      });
      return { status: response.status, body: await response.text() };
    });
    if (page.status !== 200) return failed(`dashboard ${page.status}`);
    const { body } = page;
    if (!body.includes("dashboard-membership")) return failed("no record");
    const createdBy = /data-testid="created-by"[^>]*>([^<]*)</.exec(body);
    return { ok: true, detail: `created by ${createdBy?.[1] ?? "?"}`, ms };
  } catch (error) {
    return failed(`request failed: ${String(error)}`);
  }
}

async function baselineFirstRender(
  stack: BenchStack,
  baselineUrl: string,
  delayMs: number,
  dropped: boolean,
  pending: Array<Promise<unknown>>,
): Promise<FirstRender> {
  const delivery = signUpDelivery(stack.secret);
  if (!dropped) {
    pending.push(
      sleep(delayMs).then(() => post(baselineUrl, delivery).catch(() => 0)),
    );
  }
  await sleep(landAfterMs);
  try {
    await renderBaselineDashboard(stack.db, baselineTable, delivery.userId);
    return { ok: true, detail: "row found" };
  } catch (error) {
    return failed(error instanceof Error ? error.name : String(error));
  }
}

function failed(detail: string): FirstRender {
  return { ok: false, detail };
}

function tallyRenders(renders: FirstRender[]) {
  const details = new Map<string, number>();
  for (const { detail } of renders) {
    details.set(detail, (details.get(detail) ?? 0) + 1);
  }
  const ok = renders.filter((r) => r.ok).length;
  const times = renders.flatMap((r) => (r.ms === undefined ? [] : [r.ms]));
  return {
    ok,
    percent: percent(ok, renders.length),
    outcomes: Object.fromEntries(details),
    ...(times.length > 0 && { renderMs: summarize(times) }),
  };
}
