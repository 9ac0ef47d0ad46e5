import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { stopProcess } from "./dynamodb";
import { freePort } from "./ports";
import { rootDir } from "./config";

export const webDir = join(rootDir, "packages", "web");

/**
 * Builds the site with `next build` when there is no build yet or a source
 * file is newer than it, so `npm start` always serves the current code.
 */
export function ensureSiteBuilt(log: (line: string) => void): void {
  const buildId = join(webDir, ".next", "BUILD_ID");
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const sources = [join(webDir, "src"), join(rootDir, "packages/core/src")];
  if (builtAt > 0 && !sources.some((dir) => newerThan(dir, builtAt))) return;
  log("building the site (next build, about a minute the first time)");
  const result = spawnSync(process.execPath, [nextBin(), "build"], {
    cwd: webDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed");
}

/**
 * Runs the built site with `next start` on a private port. Next is bound
 * to `localhost`: Clerk-guarded requests fail when it is bound to an IP.
 */
export async function startNext(
  env: Record<string, string>,
): Promise<{ url: string; process: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [nextBin(), "start", "-H", "localhost", "-p", String(port)],
    {
      cwd: webDir,
      env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  // If this process dies without stopping the site, the site goes too.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("next start exited");
    try {
      const response = await fetch(`${url}/pricing`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopProcess(child);
      throw new Error("next start did not answer within 60 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stop = async () => {
    process.off("exit", killOnExit);
    await stopProcess(child);
  };
  return { url, process: child, stop };
}

function nextBin(): string {
  const require = createRequire(join(webDir, "package.json"));
  return require.resolve("next/dist/bin/next");
}

function newerThan(dir: string, time: number): boolean {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory() ? newerThan(path, time) : stat.mtimeMs > time) {
      return true;
    }
  }
  return false;
}
