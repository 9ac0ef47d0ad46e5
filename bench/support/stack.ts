import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { localAws } from "@app/local/aws";
import { devWebhookSecret, rootDir } from "@app/local/config";
import {
  startDynamoProxy,
  type DynamoProxy,
} from "@app/local/dynamo-proxy";
import { freePort } from "@app/local/ports";
import { queuedMessages, type QueueUrls } from "@app/local/resources";

export type BenchStack = {
  apiUrl: string;
  webhookUrl: string;
  /** Undefined when started without the site. */
  siteUrl?: string;
  dynamoEndpoint: string;
  queues: QueueUrls;
  secret: string;
  table: string;
  /** The offline Clerk signing key the site trusts. */
  clerkKeyFile: string;
  /** Between the site and DynamoDB Local; the consumer bypasses it. */
  proxy: DynamoProxy;
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Everything the stack process has written so far. */
  log(): string;
  waitForEmptyQueue(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
};

/** Ports the developer's own `npm start` uses; never taken by the bench. */
const reserved = new Set([3000, 3001, 8000, 9324, 12111]);

/**
 * Starts the offline stack (startStack) in a child process on free
 * ports, with a throwaway LOCAL_DATA_DIR and the site's DynamoDB traffic
 * sent through the recording proxy. Its output goes to a file there.
 */
export async function startBenchStack(options: {
  site: boolean;
}): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "bench-stack-"));
  const [apiPort, webPort, dynamoPort, sqsPort, stripePort] =
    await distinctPorts(5);
  const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const proxy = await startDynamoProxy({ target: dynamoEndpoint });
  const logFile = join(dataDir, "stack.log");
  const logStream = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(rootDir, "bench/support/stack-host.ts"),
      "--throwaway",
      ...(options.site ? [] : ["--no-site"]),
    ],
    {
      cwd: rootDir,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        ...process.env,
        API_PORT: String(apiPort),
        WEB_PORT: String(webPort),
        DYNAMODB_PORT: String(dynamoPort),
        SQS_PORT: String(sqsPort),
        // The local Stripe stand-in's port, where the stack has one.
        STRIPE_PORT: String(stripePort),
        LOCAL_DATA_DIR: dataDir,
        CUSTOMERS_TABLE: "customers",
        CLERK_WEBHOOK_SECRET: devWebhookSecret,
        SITE_DYNAMODB_ENDPOINT: proxy.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    },
  );
  child.stdout!.pipe(logStream, { end: false });
  child.stderr!.pipe(logStream, { end: false });
  const log = () => readFileSync(logFile, "utf8");
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamoEndpoint, ...localAws }),
  );
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${sqsPort}`,
    ...localAws,
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await stopHost(child);
      db.destroy();
      sqs.destroy();
      await proxy.stop();
      logStream.end();
      rmSync(dataDir, { recursive: true, force: true });
    })());

  try {
    const ready = await waitForReady(child, log);
    return {
      ...ready,
      webhookUrl: `${ready.apiUrl}/webhooks/clerk`,
      secret: devWebhookSecret,
      table: "customers",
      clerkKeyFile: join(dataDir, "clerk-signing-key.pem"),
      proxy,
      db,
      sqs,
      log,
      async waitForEmptyQueue(timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        while ((await queuedMessages(sqs, ready.queues.queueUrl)) > 0) {
          if (Date.now() > deadline) {
            throw new Error("the provision queue did not empty in time");
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Ready = {
  apiUrl: string;
  siteUrl?: string;
  dynamoEndpoint: string;
  queues: QueueUrls;
};

function waitForReady(child: ChildProcess, log: () => string) {
  // A first `next build` after source changes takes a minute or two.
  const timeoutMs = 240_000;
  return new Promise<Ready>((resolve, reject) => {
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    const timer = setTimeout(
      () => fail(`not ready after ${timeoutMs / 1000} s`),
      timeoutMs,
    );
    const settle = () => {
      clearTimeout(timer);
      child.off("exit", onExit);
    };
    const fail = (reason: string) => {
      settle();
      const tail = log().split("\n").slice(-30).join("\n");
      reject(new Error(`the offline stack did not start: ${reason}\n${tail}`));
    };
    child.on("message", (message: { ready?: Ready; failed?: string }) => {
      if (message.failed) return fail(message.failed);
      if (!message.ready) return;
      settle();
      resolve(message.ready);
    });
    child.once("exit", onExit);
  });
}

/**
 * Asks the stack to stop (it drains the queue, then stops Next and
 * Java); if it hangs, kills it and the processes it started, by pid.
 */
async function stopHost(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  if (child.connected) child.send("stop");
  else child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = await Promise.race([
    exited.then(() => false),
    new Promise((resolve) => (timer = setTimeout(resolve, 45_000, true))),
  ]);
  clearTimeout(timer);
  if (!gaveUp) return;
  for (const pid of childPids(child.pid!)) killPid(pid);
  killPid(child.pid!);
  await exited;
}

function childPids(parent: number): number[] {
  const listing = spawnSync("ps", ["-o", "pid=", "--ppid", String(parent)]);
  return String(listing.stdout)
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
}

function killPid(pid: number) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** freePort() can hand out the same port twice; ask until distinct. */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!reserved.has(port)) ports.add(port);
  }
  return [...ports];
}
