import { spawnSync } from "node:child_process";
import {
  existsSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/**
 * The site's two OpenNext builds. The deploy build is what SST's
 * NextjsSite uploads and reads (.open-next); the local build is the same
 * site as one Node server (.open-next-local), for the smoke test.
 */
export const webDir = resolve(import.meta.dirname, "..");
export const deployOutput = join(webDir, ".open-next");
export const localOutput = join(webDir, ".open-next-local");
/** The server the local build makes, run from its own directory. */
export const localServerDir = join(
  localOutput,
  "server-functions/default/packages/web",
);
const parkedOutput = join(webDir, ".open-next-parked");
const rootDir = resolve(webDir, "../..");

export type Build = "deploy" | "local";
/** Where a build's progress goes: a line logger, or the terminal. */
export type Output = ((line: string) => void) | "terminal";

const configFiles: Record<Build, string> = {
  deploy: "open-next.config.ts",
  local: "open-next.local.config.ts",
};

/** Runs whichever build is missing or older than the site's sources. */
export function ensureBuilt(output: Output): void {
  // Both builds rewrite .next, and NextjsSite reads the deploy build's
  // .next manifests too, so after a local build the deploy one runs.
  const local = isStale("local");
  if (local) build("local", output);
  if (local || isStale("deploy")) build("deploy", output);
}

export function build(which: Build, output: Output): void {
  if (output !== "terminal") {
    output(`building the site with OpenNext (${which})`);
  }
  const startedAt = new Date();
  if (which === "deploy") runOpenNext(which, output);
  else buildLocal(output);
  // Dated from the start, so a source saved mid-build reads as newer.
  utimesSync(stampOf(which), startedAt, startedAt);
}

/**
 * OpenNext writes to <buildOutputPath>/.open-next, and buildOutputPath
 * must stay the app folder: OpenNext finds the app in Next's standalone
 * output by that folder's path from the repository root. So the deploy
 * output is parked while the local build runs, then put back.
 */
function buildLocal(output: Output): void {
  unpark();
  if (existsSync(deployOutput)) renameSync(deployOutput, parkedOutput);
  try {
    runOpenNext("local", output);
    rmSync(localOutput, { recursive: true, force: true });
    renameSync(deployOutput, localOutput);
  } finally {
    unpark();
  }
}

/** Puts back a deploy output parked by this or an interrupted run. */
function unpark(): void {
  if (!existsSync(parkedOutput)) return;
  rmSync(deployOutput, { recursive: true, force: true });
  renameSync(parkedOutput, deployOutput);
}

function runOpenNext(which: Build, output: Output): void {
  const terminal = output === "terminal";
  const result = spawnSync(
    process.execPath,
    [openNextBin(), "build", "--config-path", configFiles[which]],
    {
      cwd: webDir,
      encoding: "utf8",
      stdio: terminal ? "inherit" : "pipe",
      // Next's telemetry would try the network from every build.
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status === 0) return;
  const lines = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  const tail = lines.split("\n").slice(-40).join("\n");
  throw new Error(`OpenNext ${which} build failed\n${tail}`);
}

function openNextBin(): string {
  // The package exports only dist/*, which holds the CLI as index.js.
  const require = createRequire(join(webDir, "package.json"));
  return require.resolve("@opennextjs/aws/index.js");
}

function stampOf(which: Build): string {
  const output = which === "deploy" ? deployOutput : localOutput;
  return join(output, "open-next.output.json");
}

export function isStale(which: Build): boolean {
  const stamp = stampOf(which);
  if (!existsSync(stamp)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  return inputs(which).some((path) => newerThan(path, builtAt));
}

function inputs(which: Build): string[] {
  const web = [
    "src",
    "next.config.ts",
    "package.json",
    "tsconfig.json",
    configFiles[which],
  ];
  return [
    ...web.map((name) => join(webDir, name)),
    join(rootDir, "packages/core/src"),
    join(rootDir, "packages/core/package.json"),
    join(rootDir, "package-lock.json"),
  ];
}

function newerThan(path: string, time: number): boolean {
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > time;
  return readdirSync(path).some((name) => newerThan(join(path, name), time));
}
