import type { RecordedRequest } from "@app/local/dynamo-proxy";
import { ms, type Benchmark } from "./support/benchmark";
import { timed } from "./support/load";
import { siteSessions } from "./support/sessions";
import type { BenchStack } from "./support/stack";
import { summarize } from "./support/stats";

const users = 100;
const warmUp = 10;

type Render = { ms: number; operations: string[] };

/**
 * The dashboard's server time: GET /dashboard on the real site with a
 * minted Clerk session, once for a user with no record (the page creates
 * it) and once more for the same user, now returning. One page at a
 * time, so every DynamoDB request the proxy records belongs to it.
 */
export const dashboard: Benchmark = {
  name: "dashboard",
  title: "4. dashboard server time",
  needs: "site",
  async run(context) {
    const stack = context.stack();
    const sessions = siteSessions(stack);
    for (let i = 0; i < warmUp; i++) {
      const cookie = sessions.newUser().cookie;
      await render(stack, cookie);
      await render(stack, cookie);
    }
    const brandNew: Render[] = [];
    const returning: Render[] = [];
    for (let i = 0; i < users; i++) {
      const cookie = sessions.newUser().cookie;
      brandNew.push(await render(stack, cookie));
      returning.push(await render(stack, cookie));
    }

    const fresh = describe(brandNew);
    const back = describe(returning);
    return {
      method:
        `${users} users, each with a freshly minted session: the first ` +
        "GET /dashboard finds no record (brand-new), the next is the same " +
        "user returning. Time is request sent to the last byte of the " +
        "streamed page, through the offline front, on localhost; " +
        "DynamoDB requests are those the recording proxy between the " +
        `site and DynamoDB Local saw during that page. ${warmUp} users ` +
        "rendered first, unmeasured.",
      parameters: { users, warmUp },
      figures: { brandNew: fresh, returning: back },
      rows: [
        [
          "returning user, p50 / p99",
          `${ms(back.latencyMs.p50)} / ${ms(back.latencyMs.p99)}`,
        ],
        [
          "brand-new user, p50 / p99",
          `${ms(fresh.latencyMs.p50)} / ${ms(fresh.latencyMs.p99)}`,
        ],
        ["DynamoDB requests per page, returning", back.perPage],
        ["DynamoDB requests per page, brand-new", fresh.perPage],
      ],
    };
  },
};

async function render(stack: BenchStack, cookie: string): Promise<Render> {
  stack.proxy.clear();
  const { ms: took, value: page } = await timed(async () => {
    const response = await fetch(`${stack.siteUrl}/dashboard`, {
      headers: { cookie },
      redirect: "manual",
    });
    return { status: response.status, body: await response.text() };
  });
  if (page.status !== 200 || !page.body.includes("dashboard-membership")) {
    throw new Error(`GET /dashboard answered ${page.status}`);
  }
  const operations = stack.proxy
    .requests()
    .map((request: RecordedRequest) => request.operation);
  return { ms: took, operations };
}

/** Latency, and how many of each DynamoDB operation a page sent. */
function describe(renders: Render[]) {
  const latencyMs = summarize(renders.map((r) => r.ms));
  const counts = summarize(renders.map((r) => r.operations.length));
  const shapes = new Map<string, number>();
  for (const { operations } of renders) {
    const shape = tally(operations);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  const common = [...shapes].sort((a, b) => b[1] - a[1])[0]![0];
  return {
    latencyMs,
    requestsPerPage: counts,
    operationsPerPage: Object.fromEntries(shapes),
    perPage:
      `${counts.p50} (${common})` +
      (shapes.size > 1 ? `; varied ${counts.min}–${counts.max}` : ""),
  };
}

/** "2 GetItem + 1 PutItem", the same for the same operations. */
function tally(operations: string[]): string {
  const counts = new Map<string, number>();
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${n} ${op}`)
    .join(" + ");
}
