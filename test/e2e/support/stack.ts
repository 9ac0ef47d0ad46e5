import { spawn } from "node:child_process";
import { once } from "node:events";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { rootDir } from "../../../packages/local/src/config.js";
import {
  startDynamoProxy,
  type DynamoProxy,
} from "../../../packages/local/src/dynamo-proxy.js";
import { freePort } from "../../support/ports.js";

export type Item = Record<string, any>;

export type E2eStack = {
  /** The site as a browser sees it: `http://localhost:<port>`. */
  siteUrl: string;
  /** The local Stripe (API and hosted pages), `http://localhost:<port>`. */
  stripeUrl: string;
  table: string;
  /** Between the site and DynamoDB Local; the consumer bypasses it. */
  proxy: DynamoProxy;
  /** Everything `npm start` has printed so far. */
  output(): string;
  /** Read straight from DynamoDB Local, never through the proxy. */
  items(): Promise<Item[]>;
  item(userId: string): Promise<Item | undefined>;
  stop(): Promise<void>;
};

const table = "customers";

/**
 * `npm start -- --in-memory` on free ports, in its own process group, with
 * the site's DynamoDB traffic sent through a recording proxy. Given a
 * `dataDir`, the stack keeps its state there instead (the offline Clerk
 * signing key included, so a test can mint its own session tokens).
 */
export async function startE2eStack(
  options: { dataDir?: string } = {},
): Promise<E2eStack> {
  const [apiPort, webPort, dynamoPort, sqsPort, stripePort] =
    await distinctPorts(5);
  const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const proxy = await startDynamoProxy({ target: dynamoEndpoint });
  const args = options.dataDir ? [] : ["--", "--in-memory"];
  const child = spawn("npm", ["start", ...args], {
    cwd: rootDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      API_PORT: String(apiPort),
      WEB_PORT: String(webPort),
      DYNAMODB_PORT: String(dynamoPort),
      SQS_PORT: String(sqsPort),
      STRIPE_PORT: String(stripePort),
      CUSTOMERS_TABLE: table,
      SITE_DYNAMODB_ENDPOINT: proxy.endpoint,
      ...(options.dataDir && { LOCAL_DATA_DIR: options.dataDir }),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  const chunks: string[] = [];
  child.stdout!.on("data", (chunk) => chunks.push(String(chunk)));
  child.stderr!.on("data", (chunk) => chunks.push(String(chunk)));
  const output = () => chunks.join("");
  const exited = once(child, "exit").catch(() => undefined);

  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Ctrl-C, as a terminal sends it: start.ts stops Next, the front,
      // the consumer and Java in order. SIGKILL only if that hangs.
      process.kill(-child.pid!, "SIGINT");
      const force = setTimeout(() => killGroup(child.pid!), 20_000);
      await exited;
      clearTimeout(force);
    }
    db.destroy();
    await proxy.stop();
  };

  try {
    await waitForReady(output, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    siteUrl: `http://localhost:${webPort}`,
    stripeUrl: `http://localhost:${stripePort}`,
    table,
    proxy,
    output,
    async items() {
      const result = await db.send(
        new ScanCommand({ TableName: table, ConsistentRead: true }),
      );
      return result.Items ?? [];
    },
    async item(userId) {
      const result = await db.send(
        new GetCommand({
          TableName: table,
          Key: { userId },
          ConsistentRead: true,
        }),
      );
      return result.Item;
    },
    stop,
  };
}

async function waitForReady(output: () => string, exited: () => boolean) {
  // The site is built by the global setup, so this is only start-up.
  const deadline = Date.now() + 120_000;
  while (!output().includes("offline stack ready")) {
    if (exited() || Date.now() > deadline) {
      throw new Error(`npm start did not become ready:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killGroup(pid: number) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** freePort() can hand out the same port twice in a row; ask again. */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
