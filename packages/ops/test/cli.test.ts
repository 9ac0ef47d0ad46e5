import { spawn } from "node:child_process";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as Customer from "@app/core/customer";
import * as Queue from "@app/core/queue";
import { rootDir } from "../../local/src/config.js";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import {
  clerkUsers,
  startClerkBackend,
  type ClerkBackend,
} from "../../../test/support/clerk-backend.js";
import { emailPattern } from "../../../test/support/fixtures.js";
import { freePort } from "../../../test/support/ports.js";
import { runOps } from "../src/commands.js";

type Run = { code: number | null; stdout: string; stderr: string };

const email = "ops.cli.person@example.test";
let aws: TestAws;
let clerk: ClerkBackend;
let env: NodeJS.ProcessEnv;
let names: string[];

beforeAll(async () => {
  aws = await useLocalAws();
  clerk = await startClerkBackend({ users: clerkUsers(7, "user_opsCli") });
  const port = (url: string) => new URL(url).port;
  const queueName = (url: string) => url.split("/").at(-1)!;
  // The local contract's variables and flags, aimed at this file's own
  // table and queues on the run's DynamoDB Local and SQS server.
  env = {
    ...process.env,
    DYNAMODB_PORT: port(inject("dynamoEndpoint")),
    SQS_PORT: port(inject("sqsEndpoint")),
    CUSTOMERS_TABLE: aws.table,
    CLERK_SECRET_KEY: clerk.secretKey,
    CLERK_API_URL: clerk.apiUrl,
  };
  names = [
    "--queue",
    queueName(aws.queues.queueUrl),
    "--dlq",
    queueName(aws.queues.deadLetterUrl),
  ];
});

afterAll(() => clerk.stop());

/** `npm run -s ops -- <args>`, as an operator types it. */
function npmOps(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return new Promise<Run>((resolve) => {
    const child = spawn("npm", ["run", "-s", "ops", "--", ...args], {
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

/** The same command in this process, its output kept. */
async function ops(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  if (!env.CLERK_SECRET_KEY) delete process.env.CLERK_SECRET_KEY;
  try {
    const code = await runOps(args, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  }
}

async function customerWithEmail(userId: string) {
  await Customer.ensure(userId, {
    createdBy: "page",
    profile: { email, firstName: "Opal" },
  });
}

describe("npm run ops", () => {
  it("prints a customer as a table, its profile hidden", async () => {
    const userId = "user_opsCliTable";
    await customerWithEmail(userId);

    const run = await npmOps(["customer", "get", userId]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^userId\\s+${userId}$`, "m"));
    expect(run.stdout).toMatch(/^email\s+\(set\)$/m);
    expect(run.stdout).toMatch(/^lastName\s+\(none\)$/m);
    expect(run.stdout).not.toMatch(emailPattern);
    expect(run.stdout).not.toContain("Opal");
  });

  it("lists dead letters as JSON without their bodies", async () => {
    const userId = "user_opsCliDead";
    await Queue.send(aws.queues.deadLetterUrl, {
      version: 1,
      source: "clerk",
      eventId: "msg_opsCliDead",
      type: "user.created",
      receivedAt: new Date().toISOString(),
      payload: {
        type: "user.created",
        data: {
          id: userId,
          first_name: "Opal",
          email_addresses: [{ id: "idn_1", email_address: email }],
          primary_email_address_id: "idn_1",
          updated_at: 1,
        },
      },
    });

    const run = await npmOps(["dlq", "peek", "--json", ...names]);

    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout);
    expect(listed.messages).toEqual([
      expect.objectContaining({
        eventId: "msg_opsCliDead",
        type: "user.created",
        userId,
        failure: "retryable",
      }),
    ]);
    expect(run.stdout).not.toMatch(emailPattern);
    expect(run.stdout).not.toContain("Opal");
  });

  it("says in one line that the offline stack is down, exit 1", async () => {
    const run = await npmOps(["customer", "get", "user_nobody"], {
      DYNAMODB_PORT: String(await freePort()),
      SQS_PORT: String(await freePort()),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^ops: nothing answers at the offline stack/),
    ]);
  });
});

describe("the ops commands", () => {
  it("show the whole record with --show-profile", async () => {
    const userId = "user_opsCliFull";
    await customerWithEmail(userId);
    const run = await ops(["customer", "get", userId, "--show-profile"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^email\s+ops\.cli\.person@example\.test$/m);
  });

  it("exit 3 when there is no such customer", async () => {
    const run = await ops(["customer", "get", "user_opsCliMissing"]);
    expect(run).toMatchObject({
      code: 3,
      stderr: "ops: no customer user_opsCliMissing",
    });
  });

  it("exit 2 with the usage on an unknown verb or a bad id", async () => {
    for (const args of [["dlq", "purge"], ["customer", "get", "alice"]]) {
      const run = await ops(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("usage: npm run ops");
    }
  });

  it("link a Stripe customer once, never replacing the link", async () => {
    const userId = "user_opsCliStripe";
    await Customer.ensure(userId, { createdBy: "page" });
    const first = await ops(["stripe", "link", userId, "cus_OpsCli1"]);
    expect(first).toMatchObject({
      code: 0,
      stdout: `linked cus_OpsCli1 to ${userId}; now run: dlq redrive`,
    });
    const again = await ops(["stripe", "link", userId, "cus_OpsCli1"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already linked/);
    const other = await ops(["stripe", "link", userId, "cus_OpsCli2"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/conflicts with a stored link/);
    expect((await Customer.get(userId)).stripeCustomerId).toBe("cus_OpsCli1");
    const missing = await ops(["stripe", "link", "user_opsCliNobody", "cus_OpsCli3"]);
    expect(missing.code).toBe(3);
    const malformed = await ops(["stripe", "link", userId, "CUS_bad"]);
    expect(malformed.code).toBe(2);
  });

  it("name a table that does not exist, exit 1", async () => {
    const run = await ops(["customer", "get", "user_x", "--table", "nope"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ops: no table nope on the offline stack/);
  });

  it("show dead letters as a table with their diagnosis", async () => {
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: aws.queues.deadLetterUrl,
        MessageBody: "{not json",
      }),
    );
    const run = await ops(["dlq", "peek", ...names]);
    expect(run.code).toBe(0);
    const [heading, header, ...rows] = run.stdout.split("\n");
    expect(heading).toMatch(/: \d+ dead letters$/);
    expect(header).toMatch(
      /^MESSAGE ID\s+EVENT ID\s+TYPE\s+USER ID \(OR STRIPE CUSTOMER\)\s/,
    );
    const poison = /permanent\s+message body is not JSON$/;
    expect(rows.some((row) => poison.test(row))).toBe(true);
  });

  it("reconcile and report the counts, then change nothing", async () => {
    const first = await ops(["reconcile", "--json"]);
    const second = await ops(["reconcile", "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ checked: 7, created: 7 });
    expect(JSON.parse(second.stdout)).toMatchObject({
      checked: 7,
      created: 0,
      existing: 7,
    });
    const stored = await Customer.get("user_opsCli00003");
    expect(stored.createdBy).toBe("reconcile");
  });

  it("refuse to reconcile without CLERK_SECRET_KEY, exit 2", async () => {
    const key = env.CLERK_SECRET_KEY;
    delete env.CLERK_SECRET_KEY;
    try {
      const run = await ops(["reconcile", "--dry-run"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^ops: CLERK_SECRET_KEY is not set/);
    } finally {
      env.CLERK_SECRET_KEY = key;
    }
  });
});
