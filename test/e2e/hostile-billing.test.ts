import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/aws.js";
import { jsonLines } from "./support/logs.js";
import { useSiteInBrowser } from "./support/session.js";
import { newEmail } from "./support/site.js";
import type { Item } from "./support/stack.js";

/**
 * The site's billing rows of the hostile-input catalogue
 * (docs/hostile-input.md): checkout, its success page, the billing portal
 * and the return path after sign-up or sign-in. A is free with no Stripe
 * customer, B has paid, C has started a checkout. Every case compares the
 * whole table and the whole local Stripe (its state file) with their
 * snapshots; "another site" is a server of the test's own on 127.0.0.1,
 * which must never be asked for anything but its own pages.
 */

// The stack keeps its state here, the local Stripe's stripe.json included.
const dataDir = join(
  tmpdir(),
  `hostile-billing-${randomBytes(6).toString("hex")}`,
);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const site = useSiteInBrowser({ dataDir });

type Session = { userId: string; cookie: string; email: string };

let a: Session;
let b: Session;
let c: Session;
/** B's Checkout Session, paid; C's, open. */
let paidByB: string;
let openForC: string;
let snapshot: Item[];
let stripeSnapshot: StripeState;

/** Another site: it records every request it gets. */
let other: { server: Server; origin: string; asked: string[] };

type StripeState = {
  customers: Array<{ id: string; metadata: Record<string, string> }>;
  checkoutSessions: Array<{
    id: string;
    customer: string | null;
    clientReferenceId: string | null;
    lineItems: Array<{ price: string }>;
  }>;
  portalSessions: unknown[];
  events: Array<{ type: string }>;
  proPrice: string;
};

beforeAll(async () => {
  other = await startOtherSite();
  a = await signUp();
  b = await signUp();
  c = await signUp();
  for (const user of [a, b, c]) {
    expect((await get("/api/customer", user)).status).toBe(200);
  }
  paidByB = sessionIdOf(await post("/checkout", b));
  const paid = await fetch(`${site.stack.stripeUrl}/pay/${paidByB}`, {
    method: "POST",
    redirect: "manual",
  });
  const success = new URL(paid.headers.get("location")!);
  const page = await get(`${success.pathname}${success.search}`, b);
  expect(await page.text()).toContain('data-testid="success-membership">pro<');
  openForC = sessionIdOf(await post("/checkout", c));
  await stripeEventsApplied();
  snapshot = await site.stack.items();
  stripeSnapshot = stripeState();
  expect(snapshot.find((item) => item.userId === b.userId)).toMatchObject({
    membership: "pro",
  });
  expect(snapshot.find((item) => item.userId === a.userId)).not.toHaveProperty(
    "stripeCustomerId",
  );
});

afterAll(async () => {
  await new Promise((resolve) => other?.server.close(resolve));
});

async function signUp(): Promise<Session> {
  const email = newEmail();
  const response = await fetch(`${site.stack.siteUrl}/local/sign-up`, {
    method: "POST",
    body: new URLSearchParams({ email, webhook: "never" }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  const cookie = cookieOf(response);
  return { userId: subjectOf(cookie), cookie, email };
}

function cookieOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0]!)
    .join("; ");
}

function subjectOf(cookie: string): string {
  const token = /__session=([^;]+)/.exec(cookie)![1]!;
  const claims = token.split(".")[1]!;
  return JSON.parse(Buffer.from(claims, "base64url").toString()).sub;
}

function get(
  path: string,
  who?: Session,
  headers: Record<string, string> = {},
) {
  return fetch(`${site.stack.siteUrl}${path}`, {
    headers: { ...(who && { cookie: who.cookie }), ...headers },
    redirect: "manual",
  });
}

/** A form post, from the site itself unless `origin` says otherwise. */
function post(
  path: string,
  who?: Session,
  options: { origin?: string; body?: Record<string, string> } = {},
) {
  return fetch(`${site.stack.siteUrl}${path}`, {
    method: "POST",
    headers: {
      ...(who && { cookie: who.cookie }),
      origin: options.origin ?? site.stack.siteUrl,
    },
    body: new URLSearchParams(options.body ?? {}),
    redirect: "manual",
  });
}

/** The Checkout Session a 303 to the local Stripe's hosted page names. */
function sessionIdOf(response: Response): string {
  expect(response.status).toBe(303);
  const location = response.headers.get("location")!;
  expect(location.startsWith(`${site.stack.stripeUrl}/pay/cs_test_`)).toBe(
    true,
  );
  return location.split("/").at(-1)!;
}

function stripeState(): StripeState {
  return JSON.parse(readFileSync(join(dataDir, "stripe.json"), "utf8"));
}

/**
 * Every event the local Stripe emitted was answered by the webhook, and
 * every one it queued was applied, so nothing moves after the snapshot.
 */
async function stripeEventsApplied() {
  await eventually(async () => {
    const lines = jsonLines(site.stack.output());
    const answered = lines.filter(
      (line) =>
        line.service === "stripe-webhook" &&
        line.message === "webhook answered",
    );
    const enqueued = answered.filter((line) => line.reason === "enqueued");
    const applied = lines.filter(
      (line) => line.message === "message applied" && line.source === "stripe",
    );
    const emitted = stripeState().events.length;
    return emitted > 0 &&
      answered.length === emitted &&
      applied.length === enqueued.length
      ? true
      : undefined;
  }, 60_000);
}

async function expectNothingChanged() {
  expect(await site.stack.items()).toEqual(snapshot);
  expect(stripeState()).toEqual(stripeSnapshot);
  expect(other.asked.filter((path) => path.startsWith("/steal"))).toEqual([]);
}

/** The site's "checkout refused" lines for one user, so far. */
function refusals(userId: string) {
  return jsonLines(site.stack.output()).filter(
    (line) => line.message === "checkout refused" && line.userId === userId,
  );
}

async function expectCheckoutNotFound(
  response: Response,
  who: Session,
  reason: string,
  before: number,
) {
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain('data-testid="checkout-error"');
  expect(html).not.toContain('data-testid="success-membership"');
  const lines = refusals(who.userId);
  expect(lines).toHaveLength(before + 1);
  expect(lines.at(-1)).toMatchObject({ level: "WARN", reason });
  await expectNothingChanged();
}

const notOurs = "Checkout Session belongs to someone else";
const notAnId = "not a Checkout Session id";

describe("the checkout success page with someone else's session", () => {
  it("shows A, in the browser, Checkout not found for B's paid session, and changes nothing", async () => {
    const before = refusals(a.userId).length;
    const page = await site.freshPage();
    await page.context().addCookies(cookiesOf(a.cookie));

    await page.goto(
      `${site.stack.siteUrl}/checkout/success?session_id=${paidByB}`,
    );

    await page.getByTestId("checkout-error").waitFor();
    expect(await page.getByRole("heading").first().textContent()).toBe(
      "Checkout not found",
    );
    expect(await page.getByTestId("success-membership").count()).toBe(0);
    expect(refusals(a.userId)).toHaveLength(before + 1);
    expect(refusals(a.userId).at(-1)).toMatchObject({ reason: notOurs });
    await expectNothingChanged();
  });

  it("shows C, who has a Stripe customer of their own, Checkout not found for B's paid session", async () => {
    const before = refusals(c.userId).length;

    const response = await get(`/checkout/success?session_id=${paidByB}`, c);

    await expectCheckoutNotFound(response, c, notOurs, before);
  });

  it.each([
    ["B's session id in upper case", () => paidByB.toUpperCase()],
    ["B's Stripe customer id", () => stripeCustomerOf(b)],
    ["B's subscription id", () => subscriptionOf(b)],
    ["an event id", () => "evt_1HostileStripeDelivery00"],
    [
      "a path to B's customer",
      () => `cs_test_x/../../v1/customers/${stripeCustomerOf(b)}`,
    ],
    ["the template left unfilled", () => "{CHECKOUT_SESSION_ID}"],
    ["nothing", () => ""],
  ])("shows A Checkout not found for %s as the session id", async (_, id) => {
    const before = refusals(a.userId).length;

    const response = await get(
      `/checkout/success?session_id=${encodeURIComponent(id())}`,
      a,
    );

    await expectCheckoutNotFound(response, a, notAnId, before);
  });

  it("shows A Checkout not found for a well-formed session id Stripe does not have", async () => {
    const before = refusals(a.userId).length;
    const unknown = `cs_test_${randomBytes(24).toString("hex")}`;

    const response = await get(`/checkout/success?session_id=${unknown}`, a);

    await expectCheckoutNotFound(
      response,
      a,
      "Stripe has no such object (checkout.sessions.retrieve)",
      before,
    );
  });

  it("shows A Checkout not found for session_id given twice, B's and C's", async () => {
    const before = refusals(a.userId).length;

    const response = await get(
      `/checkout/success?session_id=${paidByB}&session_id=${openForC}`,
      a,
    );

    await expectCheckoutNotFound(response, a, notAnId, before);
  });

  it("sends a signed-out visitor with B's session id to /login", async () => {
    const response = await get(`/checkout/success?session_id=${paidByB}`);

    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location")!).pathname).toBe("/login");
    await expectNothingChanged();
  });
});

function stripeCustomerOf(who: Session): string {
  return snapshot.find((item) => item.userId === who.userId)!.stripeCustomerId;
}

function subscriptionOf(who: Session): string {
  return snapshot.find((item) => item.userId === who.userId)!
    .stripeSubscriptionId;
}

describe("checkout and the billing portal asked from another site", () => {
  const cases: Array<[string, string, () => Session | undefined]> = [
    ["/checkout as A", "/checkout", () => a],
    ["/checkout signed out", "/checkout", () => undefined],
    ["/billing/portal as B", "/billing/portal", () => b],
  ];

  it.each(cases)(
    "answers a cross-site POST to %s with 403 and changes nothing",
    async (_, path, who) => {
      const response = await post(path, who(), { origin: other.origin });

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: "cross-site-request" });
      await expectNothingChanged();
    },
  );

  it.each(["/checkout", "/billing/portal"])(
    "answers a POST %s from an opaque origin (Origin: null) with 403",
    async (path) => {
      const response = await post(path, b, { origin: "null" });

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: "cross-site-request" });
      await expectNothingChanged();
    },
  );

  it("answers, in the browser, another site's form posting to /checkout for signed-in A with 403", async () => {
    const page = await site.freshPage();
    await page.context().addCookies(cookiesOf(a.cookie));

    await page.goto(`${other.origin}/form`);
    await page.waitForURL(`${site.stack.siteUrl}/checkout`);

    expect(await page.textContent("body")).toContain("cross-site-request");
    await expectNothingChanged();
  });

  it("sends A, who has no Stripe customer, from the portal to /pricing whatever the form and query name", async () => {
    const query = new URLSearchParams({
      customer: stripeCustomerOf(b),
      userId: b.userId,
    });

    const response = await post(`/billing/portal?${query}`, a, {
      body: { customer: stripeCustomerOf(b), return_url: other.origin },
    });

    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/pricing");
    await expectNothingChanged();
  });

  it("answers GET /billing/portal with 405", async () => {
    const response = await get("/billing/portal", b);

    expect(response.status).toBe(405);
    await expectNothingChanged();
  });

  it("sends B, already pro, from /checkout to billing whatever customer and price the query names", async () => {
    const query = new URLSearchParams({
      customer: stripeCustomerOf(c),
      client_reference_id: c.userId,
      price: "price_hostileFreeOfCharge1",
    });

    const response = await post(`/checkout?${query}`, b, {
      body: { customer: stripeCustomerOf(c), price: "price_hostile" },
    });

    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/dashboard/billing");
    await expectNothingChanged();
  });
});

/** Where a crafted link would send someone after signing up or in. */
const elsewhere = () => [
  `${other.origin}/steal`,
  `//${other.origin.slice("http://".length)}/steal`,
  `/\\${other.origin.slice("http://".length)}/steal`,
  "javascript:alert(document.cookie)",
];

describe("the return path after sign-up and sign-in", () => {
  it.each(["/signup", "/login"])(
    "renders %s with /dashboard as the return path for links to another site",
    async (path) => {
      for (const target of elsewhere()) {
        const query = new URLSearchParams({ redirect_url: target });

        const response = await get(`${path}?${query}`);

        expect(returnPaths(await response.text())).toEqual(["/dashboard"]);
      }
      await expectNothingChanged();
    },
  );

  it("sends A signed in at the offline front to /dashboard whatever other site redirect_url names", async () => {
    for (const target of elsewhere()) {
      const response = await fetch(`${site.stack.siteUrl}/local/sign-in`, {
        method: "POST",
        body: new URLSearchParams({ email: a.email, redirect_url: target }),
        redirect: "manual",
      });

      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard");
      expect(subjectOf(cookieOf(response))).toBe(a.userId);
    }
    await expectNothingChanged();
  });

  it("sends a new user signed up at the offline front to /dashboard whatever other site redirect_url names", async () => {
    for (const target of elsewhere()) {
      const response = await fetch(`${site.stack.siteUrl}/local/sign-up`, {
        method: "POST",
        body: new URLSearchParams({
          email: newEmail(),
          webhook: "never",
          redirect_url: target,
        }),
        redirect: "manual",
      });

      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard");
    }
    await expectNothingChanged();
  });

  it.each([
    [
      "a network-path reference",
      () => `//${hostOf(other.origin)}/steal`,
      () => "/dashboard",
    ],
    [
      "a dot segment before a network path",
      () => `/.//${encodedHost()}/steal`,
      () => `/.//${encodedHost()}/steal`,
    ],
    [
      "its slashes encoded",
      () => `/%2F%2F${encodedHost()}/steal`,
      () => `/%2F%2F${encodedHost()}/steal`,
    ],
  ])(
    "keeps the browser on the site after signing in at /login with %s to another site",
    async (_, target, kept) => {
      const page = await site.freshPage();
      const query = new URLSearchParams({ redirect_url: target() });
      await page.goto(`${site.stack.siteUrl}/login?${query}`);
      const field = page.locator("input[name=redirect_url]");
      expect(await field.inputValue()).toBe(kept());

      await page.locator("input[name=email]").fill(a.email);
      await page.locator("form button[type=submit]").click();
      await page.waitForLoadState("load");

      expect(new URL(page.url()).origin).toBe(site.stack.siteUrl);
      await expectNothingChanged();
    },
  );
});

/** The other site's host with its colon encoded, as a path may carry it. */
function encodedHost(): string {
  return hostOf(other.origin).replace(":", "%3A");
}

/** The values of the hidden redirect_url fields in a page. */
function returnPaths(html: string): string[] {
  return [...html.matchAll(/name="redirect_url" value="([^"]*)"/g)].map(
    (match) => match[1]!,
  );
}

function hostOf(origin: string): string {
  return new URL(origin).host;
}

describe("checkout and a link on another site", () => {
  it("sends A to /pricing and starts nothing when another site's link opens GET /checkout", async () => {
    const page = await site.freshPage();
    await page.context().addCookies(cookiesOf(a.cookie));
    await page.goto(`${other.origin}/link`);

    await page.getByRole("link", { name: "Upgrade" }).click();
    await page.waitForURL(`${site.stack.siteUrl}/pricing`);

    await expectNothingChanged();
  });

  it("makes A's checkout for A's own customer and the one price, whatever the query and form name", async () => {
    const query = new URLSearchParams({
      customer: stripeCustomerOf(c),
      client_reference_id: c.userId,
      price: "price_hostileFreeOfCharge1",
    });

    const sessionId = sessionIdOf(
      await post(`/checkout?${query}`, a, {
        body: { customer: stripeCustomerOf(c), userId: c.userId },
      }),
    );

    const items = await site.stack.items();
    const ownCustomer = items.find((item) => item.userId === a.userId)!
      .stripeCustomerId;
    expectOnlyAChanged(items, ownCustomer);
    const stripe = stripeState();
    const session = stripe.checkoutSessions.find((s) => s.id === sessionId)!;
    expect(session).toMatchObject({
      customer: ownCustomer,
      clientReferenceId: a.userId,
      lineItems: [{ price: stripe.proPrice }],
    });
    expectSameOthers(stripe, a);
  });
});

/**
 * A's record differs from its snapshot by the Stripe customer it was
 * given and nothing else; a link item for it is the only new item; every
 * other item is as it was.
 */
function expectOnlyAChanged(items: Item[], stripeCustomerId: string) {
  const was = snapshot.find((item) => item.userId === a.userId)!;
  const now = items.find((item) => item.userId === a.userId)!;
  const { stripeCustomerId: _, updatedAt: __, ...kept } = now;
  const { updatedAt: ___, ...before } = was;
  expect(kept).toEqual(before);
  const rest = items.filter(
    (item) =>
      item.userId !== a.userId && item.userId !== `stripe#${stripeCustomerId}`,
  );
  expect(rest).toEqual(snapshot.filter((item) => item.userId !== a.userId));
  expect(items.find((item) => item.userId === `stripe#${stripeCustomerId}`))
    .toMatchObject({ ownerUserId: a.userId });
}

/** Everything at the local Stripe that is not A's is as it was. */
function expectSameOthers(stripe: StripeState, who: Session) {
  const notTheirs = <T extends object>(list: T[], owner: (t: T) => unknown) =>
    list.filter((entry) => owner(entry) !== who.userId);
  expect(notTheirs(stripe.customers, (x) => x.metadata.userId)).toEqual(
    stripeSnapshot.customers,
  );
  expect(
    notTheirs(stripe.checkoutSessions, (x) => x.clientReferenceId),
  ).toEqual(stripeSnapshot.checkoutSessions);
}

function cookiesOf(header: string) {
  return header.split("; ").map((pair) => {
    const [name, ...value] = pair.split("=");
    return { name: name!, value: value.join("="), url: site.stack.siteUrl };
  });
}

/** A page on another origin: a form and a link aimed at the site. */
async function startOtherSite() {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    asked.push(request.url ?? "");
    const target = `${site.stack.siteUrl}/checkout`;
    const body =
      request.url === "/form"
        ? `<form method="post" action="${target}"></form>` +
          "<script>document.forms[0].submit()</script>"
        : request.url === "/link"
          ? `<a href="${target}">Upgrade</a>`
          : "another site";
    response.writeHead(200, { "content-type": "text/html" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}`, asked };
}
