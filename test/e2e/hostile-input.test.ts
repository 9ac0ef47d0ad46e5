import {
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpSession } from "./support/site.js";
import { useSiteInBrowser } from "./support/session.js";
import type { Item } from "./support/stack.js";

/**
 * The site's part of the hostile-input catalogue (docs/hostile-input.md):
 * signed in as A, nothing reaches or changes B's record, and a session
 * token that Clerk did not issue as it stands is treated as signed out.
 * Every case ends by comparing the whole table with its snapshot.
 */

// The stack creates it; its state there holds the offline signing key.
const dataDir = join(
  tmpdir(),
  `hostile-input-${randomBytes(6).toString("hex")}`,
);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const site = useSiteInBrowser({ dataDir });

type Session = {
  userId: string;
  cookie: string;
  token: string;
  claims: Record<string, unknown>;
};

let a: Session;
let b: Session;
let recordA: Item;
let recordB: Item;
let snapshot: Item[];
let signingKey: KeyObject;
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey;

beforeAll(async () => {
  a = await session();
  b = await session();
  // Each record is created by its own first request, as in real use.
  recordA = await json(await get("/api/customer", { cookie: a.cookie }));
  recordB = await json(await get("/api/customer", { cookie: b.cookie }));
  expect([recordA.userId, recordB.userId]).toEqual([a.userId, b.userId]);
  signingKey = createPrivateKey(
    readFileSync(join(dataDir, "clerk-signing-key.pem"), "utf8"),
  );
  snapshot = await site.stack.items();
});

async function session(): Promise<Session> {
  const { userId, cookie } = await signUpSession(site.stack.siteUrl, "never");
  const token = /__session=([^;]+)/.exec(cookie)![1]!;
  return { userId, cookie, token, claims: claimsOf(token) };
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1]!;
  return JSON.parse(Buffer.from(payload, "base64url").toString());
}

const encode = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

/** A session token in Clerk's form, signed by `key` or not at all. */
function mint(
  claims: Record<string, unknown>,
  key: KeyObject | "none",
): string {
  const alg = key === "none" ? "none" : "RS256";
  const header = encode({ alg, typ: "JWT", kid: "offline" });
  const body = `${header}.${encode(claims)}`;
  if (key === "none") return `${body}.`;
  const signature = sign("RSA-SHA256", Buffer.from(body), key);
  return `${body}.${signature.toString("base64url")}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** Claims as if issued `seconds` from now, for the usual hour. */
function issuedIn(claims: Record<string, unknown>, seconds: number) {
  const iat = now() + seconds;
  return { ...claims, iat, nbf: iat - 5, exp: iat + 3600 };
}

/** The forged and tampered tokens, each naming or belonging to B or A. */
const tampered: Array<[string, () => string]> = [
  ["an unsigned (alg none) token for B", () => mint(b.claims, "none")],
  [
    "A's token with its subject changed to B",
    () => {
      const [header, , signature] = a.token.split(".");
      return `${header}.${encode({ ...a.claims, sub: b.userId })}.${signature}`;
    },
  ],
  ["a token for B signed with another key", () => mint(b.claims, otherKey)],
  [
    "a token for A valid only from an hour ahead",
    () => mint(issuedIn(a.claims, 3600), signingKey),
  ],
];

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${site.stack.siteUrl}${path}`, {
    headers,
    redirect: "manual",
  });
}

async function json(response: Response): Promise<Item> {
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  return (await response.json()) as Item;
}

/** The whole table, as it was before the hostile request. */
async function expectNothingChanged() {
  expect(await site.stack.items()).toEqual(snapshot);
}

async function expectRecordOfA(response: Response) {
  expect(response.status).toBe(200);
  expect(await json(response)).toEqual(recordA);
  await expectNothingChanged();
}

async function expectSignedOut(response: Response) {
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ error: "signed-out" });
  await expectNothingChanged();
}

/** Clerk's redirect to the sign-in page, as for any signed-out visitor. */
async function expectSentToLogin(response: Response, path: string) {
  expect(response.status).toBe(307);
  const location = new URL(response.headers.get("location")!);
  expect(location.pathname).toBe("/login");
  expect(location.searchParams.get("redirect_url")).toBe(
    `${site.stack.siteUrl}${path}`,
  );
  await expectNothingChanged();
}

/** Nothing of B's record in an answer: its id may echo the path, no more. */
async function expectNothingOfB(response: Response) {
  const text = await response.text();
  expect(text).not.toContain(recordB.createdAt);
  expect(text).not.toContain(`"userId":"${b.userId}"`);
}

describe("signed in as A, asking for B's record", () => {
  it("answers A's own record whatever the query string names", async () => {
    const query = new URLSearchParams({
      userId: b.userId,
      user_id: b.userId,
      id: b.userId,
      sub: b.userId,
    });
    const response = await get(`/api/customer?${query}`, {
      cookie: a.cookie,
    });

    await expectRecordOfA(response);
  });

  it("answers A's own record whatever identity headers name B", async () => {
    const response = await get("/api/customer", {
      cookie: a.cookie,
      "x-user-id": b.userId,
      "x-clerk-user-id": b.userId,
      "x-forwarded-user": b.userId,
      "x-remote-user": b.userId,
      "x-amzn-oidc-identity": b.userId,
    });

    await expectRecordOfA(response);
  });

  it("answers A's own record when Clerk's internal auth headers are forged for B", async () => {
    const response = await get("/api/customer", {
      cookie: a.cookie,
      "x-clerk-auth-status": "signed-in",
      "x-clerk-auth-reason": "session-token-and-uat-present",
      "x-clerk-auth-token": mint(b.claims, "none"),
    });

    await expectRecordOfA(response);
  });

  it("answers A's own record when B's token sits in a cookie Clerk does not read", async () => {
    const cookie =
      `${a.cookie}; __session_other=${b.token}; userId=${b.userId}`;

    const response = await get("/api/customer", { cookie });

    await expectRecordOfA(response);
  });

  it("answers A's own record when a forged __session for B follows A's", async () => {
    const forged = mint(b.claims, otherKey);

    const response = await get("/api/customer", {
      cookie: `${a.cookie}; __session=${forged}`,
    });

    await expectRecordOfA(response);
  });

  it("answers 401 when a forged __session for B comes before A's", async () => {
    const forged = mint(b.claims, otherKey);

    const response = await get("/api/customer", {
      cookie: `__session=${forged}; ${a.cookie}`,
    });

    await expectSignedOut(response);
  });

  it("answers 401 when A's cookie comes with a forged bearer token for B", async () => {
    const response = await get("/api/customer", {
      cookie: a.cookie,
      authorization: `Bearer ${mint(b.claims, otherKey)}`,
    });

    await expectSignedOut(response);
  });

  it("reads A's record in the browser whatever the page's fetch adds", async () => {
    const page = await site.freshPage();
    await page.context().addCookies(cookiesOf(a.cookie));
    await page.goto(`${site.stack.siteUrl}/dashboard`);

    const seen = await page.evaluate(async (other) => {
      const response = await fetch(`/api/customer?userId=${other}`, {
        headers: { "x-user-id": other },
      });
      return { status: response.status, body: await response.json() };
    }, b.userId);

    expect(seen).toEqual({ status: 200, body: recordA });
    await expectNothingChanged();
  });
});

describe("methods that would change a record", () => {
  const body = () =>
    JSON.stringify({ userId: b.userId, membership: "pro", status: "deleted" });

  it.each(["POST", "PUT", "DELETE", "PATCH"])(
    "answers %s /api/customer as A with 405",
    async (method) => {
      const response = await fetch(`${site.stack.siteUrl}/api/customer`, {
        method,
        headers: { cookie: a.cookie, "content-type": "application/json" },
        body: body(),
      });

      expect(response.status).toBe(405);
      await expectNothingOfB(response);
      await expectNothingChanged();
    },
  );

  it.each(["POST", "PUT", "DELETE", "PATCH"])(
    "answers %s /api/customer signed out with 401",
    async (method) => {
      const response = await fetch(`${site.stack.siteUrl}/api/customer`, {
        method,
        headers: { "content-type": "application/json" },
        body: body(),
      });

      await expectSignedOut(response);
    },
  );
});

describe("server actions that do not exist", () => {
  const action = "7f" + "0".repeat(40);
  const post = (path: string, cookie?: string) =>
    fetch(`${site.stack.siteUrl}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        ...(cookie && { cookie }),
        "next-action": action,
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
      },
      body: JSON.stringify([b.userId, { membership: "pro" }]),
    });

  it.each(["/dashboard", "/dashboard/billing", "/pricing", "/"])(
    "answers an unknown action id posted at %s as A with 409",
    async (path) => {
      const response = await post(path, a.cookie);

      expect(response.status).toBe(409);
      expect(await response.text()).toBe("Server Action unavailable.");
      await expectNothingChanged();
    },
  );

  it.each(["/dashboard", "/dashboard/billing"])(
    "sends an action posted at %s signed out to /login",
    async (path) => {
      const response = await post(path);

      await expectSentToLogin(response, path);
    },
  );
});

describe("tampered session tokens are treated as signed out", () => {
  it.each(tampered)("answers 401 from /api/customer to %s", async (_, token) => {
    const response = await get("/api/customer", {
      cookie: `__session=${token()}; __client_uat=${a.claims.iat}`,
    });

    await expectSignedOut(response);
  });

  it.each(tampered)("sends %s from /dashboard to /login", async (_, token) => {
    const response = await get("/dashboard", {
      cookie: `__session=${token()}; __client_uat=${a.claims.iat}`,
    });

    await expectSentToLogin(response, "/dashboard");
  });

  it.each(tampered)("answers 401 to %s as a bearer token", async (_, token) => {
    const response = await get("/api/customer", {
      authorization: `Bearer ${token()}`,
    });

    await expectSignedOut(response);
  });

  it("shows a browser holding A's token altered for B the signed-out site", async () => {
    const page = await site.freshPage();
    const [, altered] = tampered[1]!;
    await page.context().addCookies(
      cookiesOf(`__session=${altered()}; __client_uat=${a.claims.iat}`),
    );

    await page.goto(`${site.stack.siteUrl}/dashboard/billing`);

    expect(new URL(page.url()).pathname).toBe("/login");
    const header = page.locator("header");
    expect(await header.getByRole("link", { name: "Log in" }).count()).toBe(1);
    expect(await header.getByRole("link", { name: "Dashboard" }).count()).toBe(
      0,
    );
    await expectNothingChanged();
  });

  it("answers 401 from Clerk's middleware to A's expired token", async () => {
    // Straight to Next: the offline front renews its own tokens before
    // Next sees them, as Clerk's client does (see the next case).
    const expired = mint(issuedIn(a.claims, -7200), signingKey);

    const response = await fetch(`${nextUrl()}/api/customer`, {
      headers: { cookie: `__session=${expired}; __client_uat=${now() - 7201}` },
    });

    await expectSignedOut(response);
  });

  it("renews A's expired token at the offline front as A, never as anyone else", async () => {
    const expired = mint(issuedIn(a.claims, -7200), signingKey);

    const response = await get("/api/customer", {
      cookie: `__session=${expired}; __client_uat=${now() - 7201}`,
    });

    const renewed = /__session=([^;]+)/.exec(
      response.headers.getSetCookie().join("\n"),
    );
    expect(claimsOf(renewed![1]!).sub).toBe(a.userId);
    await expectRecordOfA(response);
  });
});

describe("requests that try to get around Clerk's middleware", () => {
  it.each(["middleware", "src/middleware", "proxy", "src/proxy"])(
    "answers 401 signed out whatever x-middleware-subrequest says (%s)",
    async (name) => {
      const response = await get("/api/customer", {
        "x-middleware-subrequest": Array(5).fill(name).join(":"),
      });

      await expectSignedOut(response);
    },
  );

  it("answers 401 signed out to Clerk's internal auth headers forged for B", async () => {
    const response = await get("/api/customer", {
      "x-clerk-auth-status": "signed-in",
      "x-clerk-auth-reason": "session-token-and-uat-present",
      "x-clerk-auth-token": b.token,
    });

    await expectSignedOut(response);
  });

  it("sends a forged Clerk handshake in the query string to /login, setting no session", async () => {
    const handshake = mint({ handshake: [`__session=${b.token}`] }, otherKey);
    const path = `/dashboard?__clerk_handshake=${handshake}`;

    const response = await get(path);

    const sessions = response.headers
      .getSetCookie()
      .filter((line) => /^__session=[^;]/.test(line));
    expect(sessions).toEqual([]);
    await expectSentToLogin(response, path);
  });
});

describe("paths with encoded or extra segments", () => {
  it.each([
    ["/api/%63ustomer", 404],
    ["/%64ashboard", 404],
    ["/API/customer", 404],
    ["/api/customer/{B}", 404],
    ["/api/customer;userId={B}", 404],
    ["/api/customer%3FuserId={B}", 404],
    ["/api/customer%2F..%2Fcustomer", 404],
    ["/dashboard/..%2fapi%2fcustomer", 404],
    ["/api/customer/", 308],
    ["/api//customer", 308],
  ])("answers %s as A with %i and nothing of B", async (path, status) => {
    const response = await get(path.replace("{B}", b.userId), {
      cookie: a.cookie,
    });

    expect(response.status).toBe(status);
    if (status === 308) {
      expect(response.headers.get("location")).toBe("/api/customer");
    }
    await expectNothingOfB(response);
    await expectNothingChanged();
  });

  it("answers A's record at /dashboard/%2e%2e/api/customer, as Next normalises it", async () => {
    const response = await get("/dashboard/%2e%2e/api/customer", {
      cookie: a.cookie,
    });

    await expectRecordOfA(response);
  });

  it.each([
    ["/api/%63ustomer", 401],
    ["/dashboard/%2e%2e/api/customer", 401],
    ["/%64ashboard", 307],
    ["/dashboard/..%2fapi%2fcustomer", 307],
  ])("answers %s signed out with %i", async (path, status) => {
    const response = await get(path);

    expect(response.status).toBe(status);
    if (status === 401) await expectSignedOut(response);
    else await expectSentToLogin(response, path);
  });
});

describe("the offline front (local stand-in for Clerk)", () => {
  let decoy: Server;
  let decoyPort: number;
  const decoyRequests: string[] = [];

  beforeAll(async () => {
    decoy = createServer((request, response) => {
      decoyRequests.push(`${request.method} ${request.url}`);
      response.end("decoy");
    });
    await new Promise<void>((resolve) =>
      decoy.listen(0, "127.0.0.1", resolve),
    );
    decoyPort = (decoy.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => decoy.close(resolve));
  });

  it.each([
    ["an absolute URL", (port: number) => `http://127.0.0.1:${port}/x`],
    ["a network-path reference", (port: number) => `//127.0.0.1:${port}/x`],
  ])(
    "never forwards a request target that is %s to another host",
    async (_, target) => {
      decoyRequests.length = 0;
      const answer = await rawToFront(
        `GET ${target(decoyPort)} HTTP/1.1\r\n` +
          `Host: localhost\r\nCookie: ${a.cookie}\r\n` +
          "Connection: close\r\n\r\n",
      );

      // Next itself answers: it redirects to the target's path.
      expect(answer).toMatch(/^HTTP\/1\.1 308 /);
      expect(answer).not.toContain("decoy");
      expect(decoyRequests).toEqual([]);
      await expectNothingChanged();
    },
  );

  it("answers 400 to a request target that is not a URL", async () => {
    const answer = await rawToFront(
      "GET //[ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await expectNothingChanged();
  });

  it.each([
    [
      "sign-in for an unknown email with __proto__ and constructor fields",
      "/local/sign-in",
      "email=nobody%40example.test&__proto__=x&constructor=prototype",
      "/login?error=unknown-user",
    ],
    [
      "sign-up with an address that is not an email",
      "/local/sign-up",
      "email=not-an-email&__proto__=x",
      "/signup?error=invalid",
    ],
    [
      "sign-up with a form over 16 KB",
      "/local/sign-up",
      `email=big%40example.test&firstName=${"x".repeat(17_000)}`,
      "/signup?error=invalid",
    ],
    [
      "sign-up with an unknown webhook plan",
      "/local/sign-up",
      "email=plan%40example.test&webhook=delay%3A99999999",
      "/signup?error=invalid",
    ],
  ])("refuses %s, setting no session", async (_, path, form, location) => {
    const response = await fetch(`${site.stack.siteUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });

    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(location);
    expect(response.headers.getSetCookie()).toEqual([]);
    await expectNothingChanged();
  });
});

function rawToFront(text: string): Promise<string> {
  const port = Number(new URL(site.stack.siteUrl).port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, "localhost", () => socket.write(text));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
  });
}

/** Next behind the front, as `next start` printed it. */
function nextUrl(): string {
  const match = /Local:\s+(http:\/\/localhost:\d+)/.exec(site.stack.output());
  if (!match) throw new Error("next start printed no local address");
  return match[1]!;
}

function cookiesOf(header: string) {
  return header.split("; ").map((pair) => {
    const [name, ...value] = pair.split("=");
    return {
      name: name!,
      value: value.join("="),
      url: site.stack.siteUrl,
    };
  });
}
