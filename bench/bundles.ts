import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { devWebhookSecret, rootDir } from "@app/local/config";
import { ms, type Benchmark } from "./support/benchmark";
import { round, summarize } from "./support/stats";

const functionsDir = join(rootDir, "packages/functions/src");
const runs = 7;

/**
 * ESM bundles have no `require`; some bundled CommonJS packages call it
 * for Node built-ins, so the bundle gets one, as SST v2's bundling does.
 */
const requireShim =
  'import{createRequire as __createRequire}from"node:module";' +
  "const require=__createRequire(import.meta.url);";

/** A fresh process imports the bundle and prints how long that took. */
const importScript =
  "const start = performance.now();" +
  "await import(process.argv[1]);" +
  "process.stdout.write(String(performance.now() - start));";

/**
 * Each Lambda entry bundled as deployed on nodejs22.x: minified ESM for
 * Node with the AWS SDK left out (the runtime provides it), then
 * imported in fresh Node processes, interleaved, several times each.
 */
export const bundles: Benchmark = {
  name: "bundles",
  title: "5. Lambda bundles",
  needs: "nothing",
  async run() {
    const outDir = mkdtempSync(join(tmpdir(), "bench-bundles-"));
    try {
      // The SDK stays external, so it must resolve from the bundles as
      // it does from /var/runtime on Lambda: here, the repo's copy.
      symlinkSync(join(rootDir, "node_modules"), join(outDir, "node_modules"));
      const built = [];
      for (const name of lambdaEntries()) {
        built.push(await bundle(name, outDir));
      }
      const emptyProcess: number[] = [];
      const timings = new Map(built.map((b) => [b.name, newTiming()]));
      for (let run = 0; run < runs; run++) {
        emptyProcess.push(startNode([]).wallMs);
        for (const { name, file } of built) {
          const timing = startNode([pathToFileURL(file).href]);
          timings.get(name)!.importMs.push(timing.importMs);
          timings.get(name)!.processMs.push(timing.wallMs);
        }
      }
      const emptyMs = summarize(emptyProcess).p50;
      const figures = built.map(({ name, bytes, gzipBytes, largest }) => ({
        name,
        bytes,
        gzipBytes,
        largest,
        importMs: summarize(timings.get(name)!.importMs),
        processMs: summarize(timings.get(name)!.processMs),
      }));
      return {
        method:
          `esbuild ${esbuild.version} (the copy SST v2 bundles with): ` +
          "bundle, minify, format esm, platform node, target node22, " +
          "@aws-sdk/* external. Import time is measured inside a fresh " +
          "`node --input-type=module -e` process around " +
          "`await import(bundle)`; process time is spawn to exit. Median " +
          `of ${runs} runs each, interleaved, on Node ${process.version} ` +
          "(Lambda runs 22). The SDK loads from the repository's " +
          "node_modules, as it would from the Lambda runtime.",
        parameters: {
          runs,
          esbuild: esbuild.version,
          handlers: built.map((b) => b.name),
        },
        figures: { emptyProcessMs: emptyMs, bundles: figures },
        rows: [
          ...figures.map((b): [string, string] => [
            `${b.name}: minified / gzip (largest parts)`,
            `${kib(b.bytes)} / ${kib(b.gzipBytes)} (` +
              b.largest
                .slice(0, 3)
                .map((p) => `${p.name} ${kib(p.bytes)}`)
                .join(", ") +
              ")",
          ]),
          ...figures.map((b): [string, string] => [
            `${b.name}: import, median (whole process)`,
            `${ms(b.importMs.p50)} (${ms(b.processMs.p50)})`,
          ]),
          ["empty Node process, median", ms(emptyMs)],
        ],
      };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  },
};

/** Every module in packages/functions/src that exports a handler. */
function lambdaEntries(): string[] {
  return readdirSync(functionsDir)
    .filter((file) => file.endsWith(".ts"))
    .filter((file) => {
      const source = readFileSync(join(functionsDir, file), "utf8");
      return /export const handler\b/.test(source);
    })
    .map((file) => file.replace(/\.ts$/, ""))
    .sort();
}

async function bundle(name: string, outDir: string) {
  const file = join(outDir, `${name}.mjs`);
  let largest: Array<{ name: string; bytes: number }>;
  try {
    const result = await esbuild.build({
      entryPoints: [join(functionsDir, `${name}.ts`)],
      outfile: file,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      target: "node22",
      external: ["@aws-sdk/*"],
      banner: { js: requireShim },
      logLevel: "silent",
      metafile: true,
    });
    largest = largestPackages(result.metafile, file);
  } catch (error) {
    throw new Error(
      `esbuild failed to bundle ${name} (is node_modules/esbuild ` +
        `installed with its platform binary?): ${String(error)}`,
    );
  }
  const bytes = statSync(file).size;
  const gzipBytes = gzipSync(readFileSync(file)).length;
  return { name, file, bytes, gzipBytes, largest };
}

/** The packages that take the most of a bundle, this repo's code as one. */
function largestPackages(metafile: esbuild.Metafile, file: string) {
  const output = Object.entries(metafile.outputs).find(([path]) =>
    file.endsWith(path.replace(/^(\.\.\/)+/, "")),
  )?.[1];
  const bytes = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...bytes]
    .map(([name, size]) => ({ name, bytes: size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match ? match[1]! : "this repository";
}

function newTiming() {
  return { importMs: [] as number[], processMs: [] as number[] };
}

/**
 * A fresh Node process with only the settings a deployed function has;
 * no handler contacts AWS while it is imported.
 */
function startNode(args: string[]): { wallMs: number; importMs: number } {
  const script = args.length ? importScript : "";
  const start = performance.now();
  const result = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", script, ...args],
    {
      encoding: "utf8",
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: "us-east-1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        CUSTOMERS_TABLE: "customers",
        PROVISION_QUEUE_URL: "http://127.0.0.1/000000000000/provision",
        CLERK_WEBHOOK_SECRET: devWebhookSecret,
        CLERK_SECRET_KEY: "sk_test_bench",
        STRIPE_SECRET_KEY: "sk_test_bench",
        STRIPE_WEBHOOK_SECRET: "whsec_YmVuY2gtc3RyaXBlLXNlY3JldA",
      },
    },
  );
  const wallMs = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`importing ${args[0]} failed: ${result.stderr}`);
  }
  return { wallMs, importMs: round(Number(result.stdout)) };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
