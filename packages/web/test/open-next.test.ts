import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  newId,
  offlineClerk,
  type OfflineClerk,
} from "../../local/src/clerk-offline.js";
import { localAwsEnv } from "../../local/src/aws.js";
import { stopProcess } from "../../local/src/dynamodb.js";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import { freePort } from "../../../test/support/ports.js";
import {
  build,
  isStale,
  localServerDir,
} from "../scripts/open-next-builds.js";

let aws: TestAws;
let clerk: OfflineClerk;
let origin: string;
let server: ChildProcess;
const serverOutput: string[] = [];

beforeAll(async () => {
  // `npm test` builds both bundles before any test file (root pretest).
  // Building here serves a run of this file alone: the build parks the
  // deploy output, which stack tests running beside it would miss.
  if (isStale("local")) build("local", (line) => console.log(line));
  aws = await useLocalAws();
  const port = await freePort();
  // Clerk-guarded requests fail when the site is addressed by IP (see
  // packages/local/src/site.ts); the session tokens name this origin.
  origin = `http://localhost:${port}`;
  clerk = offlineClerk(origin);
  server = startServer(port);
  await waitForServer();
}, 240_000);

afterAll(async () => {
  if (server) await stopProcess(server);
});

/** The express-dev server OpenNext bundled, run as its own process. */
function startServer(port: number): ChildProcess {
  const entry = join(localServerDir, "index.mjs");
  if (!existsSync(entry)) throw new Error(`no local OpenNext build: ${entry}`);
  const child = spawn(process.execPath, ["index.mjs"], {
    // OpenNext's dev wrapper finds the assets and the cache relative to
    // the working directory, which must be the server's own folder.
    cwd: localServerDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      // The names SST gives the deployed server's bound secrets; the
      // site's instrumentation hook maps them to the ones Clerk reads.
      SST_Secret_value_CLERK_PUBLISHABLE_KEY: clerk.publishableKey,
      SST_Secret_value_CLERK_SECRET_KEY: clerk.secretKey,
      CLERK_JWT_KEY: clerk.jwtKey,
      NEXT_PUBLIC_CLERK_SIGN_IN_URL: "/login",
      NEXT_PUBLIC_CLERK_SIGN_UP_URL: "/signup",
      OFFLINE_MODE: "true",
      ...localAwsEnv,
      AWS_ENDPOINT_URL_DYNAMODB: inject("dynamoEndpoint"),
      CUSTOMERS_TABLE: aws.table,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => serverOutput.push(String(chunk)));
  child.stderr?.on("data", (chunk) => serverOutput.push(String(chunk)));
  return child;
}

async function waitForServer(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) {
      throw new Error(`server exited:\n${serverOutput.join("")}`);
    }
    try {
      await fetch(`${origin}/login`);
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`server not up in 30 s:\n${serverOutput.join("")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The cookies Clerk's browser SDK leaves after a sign-in. */
function signedIn(userId: string): Record<string, string> {
  const session = clerk.mintSession(userId, newId("sess"));
  // Clerk asks the browser for a handshake when client_uat is later than
  // the token's iat (a sign-in newer than the token); offline, no one
  // would answer it.
  const cookies = [
    `__session=${session.token}`,
    `__client_uat=${session.issuedAt - 1}`,
  ];
  return { cookie: cookies.join("; ") };
}

describe("the site's local OpenNext bundle", () => {
  it("serves the home page with a way to sign up", async () => {
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Sign up");
  });

  it("sends a signed-out visitor from /dashboard to /login", async () => {
    const response = await fetch(`${origin}/dashboard`, {
      redirect: "manual",
    });
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location") ?? "", origin);
    expect(location.origin).toBe(origin);
    expect(location.pathname).toBe("/login");
  });

  it("creates a signed-in user's free record from the page path", async () => {
    const userId = newId("user");
    const response = await fetch(`${origin}/api/customer`, {
      headers: signedIn(userId),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      userId,
      membership: "free",
    });
    const items = await aws.items();
    expect(items).toEqual([
      expect.objectContaining({ userId, createdBy: "page" }),
    ]);
  });
});
