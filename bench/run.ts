import { bundles } from "./bundles";
import { burst } from "./burst";
import { dashboard } from "./dashboard";
import { firstRender } from "./first-render";
import { ingress } from "./ingress";
import { provisioning } from "./provisioning";
import type { Benchmark, Context } from "./support/benchmark";
import { describeMachine, machineLine } from "./support/machine";
import {
  readResults,
  renderTable,
  writeLatest,
  writeResult,
} from "./support/results";
import { startBenchStack, type BenchStack } from "./support/stack";
import { round } from "./support/stats";

// The SDK's notice that it will need Node 22 (README, Limitations).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** In the order of the issue, which is also the order of the table. */
const all = [ingress, provisioning, burst, dashboard, bundles, firstRender];

/**
 * Run order: bundles first, on a quiet machine; the 10,000 burst last,
 * so what it leaves behind cannot slow another benchmark.
 */
const runOrder = [
  bundles,
  ingress,
  provisioning,
  dashboard,
  firstRender,
  burst,
];

const names = all.map((b) => b.name).join(" | ");
const usage = `usage: npm run bench [-- ${names} ...]`;

async function main() {
  const chosen = chosenBenchmarks(process.argv.slice(2));
  const started = performance.now();
  let stack: BenchStack | undefined;
  const stopStack = () => stack?.stop();
  // Ctrl-C or a kill still stops Java, Next and the stack process.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the offline stack`);
      void Promise.resolve(stopStack()).finally(() => process.exit(130));
    });
  }
  try {
    const needsSite = chosen.some((b) => b.needs === "site");
    const context: Context = {
      stack() {
        if (!stack) throw new Error("this benchmark has no stack");
        return stack;
      },
    };
    for (const benchmark of chosen) {
      if (benchmark.needs !== "nothing" && !stack) {
        console.log(`starting the offline stack (site: ${needsSite})`);
        const start = performance.now();
        stack = await startBenchStack({ site: needsSite });
        console.log(`  ready in ${seconds(performance.now() - start)}`);
      }
      await runOne(benchmark, context);
    }
  } finally {
    await stopStack();
  }
  const table = renderTable(readResults(all.map((b) => b.name)));
  writeLatest(table);
  console.log(`\n${table}`);
  console.log(`total ${seconds(performance.now() - started)}`);
}

async function runOne(benchmark: Benchmark, context: Context) {
  const machine = describeMachine();
  const date = new Date().toISOString();
  console.log(`${benchmark.title} (${machineLine(machine)})`);
  const start = performance.now();
  const outcome = await benchmark.run(context);
  const durationMs = round(performance.now() - start);
  writeResult({
    name: benchmark.name,
    title: benchmark.title,
    date,
    machine,
    durationMs,
    ...outcome,
  });
  for (const [figure, value] of outcome.rows) {
    console.log(`  ${figure}: ${value}`);
  }
  console.log(`  took ${seconds(durationMs)}`);
}

function chosenBenchmarks(names: string[]): Benchmark[] {
  if (names.length === 0) return runOrder;
  const known = new Map(all.map((b) => [b.name, b]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(", ")}\n${usage}`);
    process.exit(2);
  }
  return runOrder.filter((b) => names.includes(b.name));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
