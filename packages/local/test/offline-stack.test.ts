import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { localAws } from "../src/aws.js";
import { devWebhookSecret, rootDir } from "../src/config.js";
import { deliver } from "../src/deliver.js";
import { freePort } from "../../../test/support/ports.js";
import {
  emailPattern,
  fixturesDir,
  fixtureText,
} from "../../../test/support/fixtures.js";

type Run = { code: number | null; stdout: string; stderr: string };

const userId = "user_29w83sxmDNGwOuEthce5gg56FcC";
const created = join(fixturesDir, "clerk/user-created.docs.json");
const dataDir = mkdtempSync(join(tmpdir(), "offline-stack-"));
const secret = devWebhookSecret;
const burst = Array.from({ length: 40 }, (_, i) => `user_drainTest${i}`);
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = {
    ...process.env,
    API_PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    SQS_PORT: String(await freePort()),
    STRIPE_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDir,
  };
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `npm start` in its own process group, as a terminal would. */
async function startStack(args: string[] = []) {
  const child = spawn("npm", ["start", "--", ...args], {
    cwd: rootDir,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout!.on("data", (chunk) => output.push(String(chunk)));
  child.stderr!.on("data", (chunk) => output.push(String(chunk)));
  const deadline = Date.now() + 45_000;
  while (!output.join("").includes("offline stack ready")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) await interrupt(child);
      throw new Error(`npm start did not become ready:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output };
}

/** Ctrl-C: SIGINT to the whole process group. */
async function interrupt(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid!, "SIGINT");
  await exited;
}

function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn("npm", args, {
      cwd: rootDir,
      env: { ...env, ...extraEnv },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The start script run directly, for the ways it refuses to start. */
function runStart(extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "packages/local/src/start.ts", "--in-memory"],
      { cwd: rootDir, env: { ...env, ...extraEnv } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function scanUserIds(): Promise<string[]> {
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${env.DYNAMODB_PORT}`,
    ...localAws,
  });
  try {
    const result = await client.send(
      new ScanCommand({ TableName: "customers", ConsistentRead: true }),
    );
    return (result.Items ?? []).map((item) => item.userId!.S!);
  } finally {
    client.destroy();
  }
}

function webhookUrl() {
  return `http://127.0.0.1:${env.API_PORT}/webhooks/clerk`;
}

async function readCustomer(): Promise<Record<string, any>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const result = await run(["run", "--silent", "customer", "--", userId]);
    if (result.code === 0) return JSON.parse(result.stdout);
    if (Date.now() > deadline) throw new Error(result.stderr);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function portIsClosed(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("npm start", () => {
  it("provisions a signed Clerk delivery end to end and keeps it across restarts", async () => {
    const first = await startStack(["--no-site"]);
    try {
      const health = await fetch(`http://127.0.0.1:${env.API_PORT}/health`);
      expect(health.status).toBe(200);
      const sent = await run(["run", "--silent", "send", "--", "clerk", created]);
      expect(sent.stdout).toMatch(/#1: 200 /);
      const customer = await readCustomer();
      expect(customer).toMatchObject({
        userId,
        email: "fixture.user@example.test",
        createdBy: "webhook",
        membership: "free",
      });
      // Accepted just before Ctrl-C: still queued when the stop begins.
      for (const id of burst) {
        const body = fixtureText("clerk/user-created.docs.json").replace(
          userId,
          id,
        );
        const sent = await deliver({ url: webhookUrl(), secret, body });
        expect(sent.status).toBe(200);
      }
    } finally {
      await interrupt(first.child);
    }
    const stackOutput = first.output.join("");
    expect(stackOutput).toContain("offline stack stopped");
    expect(stackOutput).toContain('"message":"message applied"');
    expect(stackOutput.match(emailPattern)).toBeNull();
    expect(await portIsClosed(env.DYNAMODB_PORT!)).toBe(true);
    expect(await portIsClosed(env.API_PORT!)).toBe(true);

    const second = await startStack(["--no-site"]);
    try {
      expect((await readCustomer()).email).toBe("fixture.user@example.test");
      const stored = await scanUserIds();
      expect(burst.filter((id) => !stored.includes(id))).toEqual([]);
    } finally {
      await interrupt(second.child);
    }
  });

  it("refuses to start while the DynamoDB port is taken", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) =>
      squatter.listen(Number(env.DYNAMODB_PORT), resolve),
    );
    try {
      const result = await runStart();
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/port \d+ is in use/),
      ]);
    } finally {
      squatter.close();
    }
  });

  it("refuses to start with a malformed signing secret", async () => {
    const result = await runStart({ CLERK_WEBHOOK_SECRET: "oops" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/CLERK_WEBHOOK_SECRET is malformed/),
    ]);
  });

  it("says in one line that Java is missing, and exits", async () => {
    const bin = mkdtempSync(join(tmpdir(), "no-java-"));
    symlinkSync(process.execPath, join(bin, "node"));
    const result = await runStart({ PATH: bin });
    rmSync(bin, { recursive: true, force: true });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Java 17\+ is needed/);
  });
});
