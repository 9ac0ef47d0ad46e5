import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../packages/local/src/dynamo-proxy.js";
import { screenshot } from "./support/browser.js";
import {
  newEmail,
  readDashboard,
  signUpInBrowser,
  signUpSession,
  upgradeLink,
  waitForEmailFromPage,
} from "./support/site.js";
import { useSiteInBrowser } from "./support/session.js";

const site = useSiteInBrowser({
  afterEach: () => site.stack.proxy.setMode("forward"),
});
const freshPage = () => site.freshPage();

/** A strongly consistent GetItem on the table's key, and nothing else. */
function isConsistentKeyRead(request: RecordedRequest, table: string) {
  const body = request.body as Record<string, any>;
  return (
    request.operation === "GetItem" &&
    body.TableName === table &&
    body.ConsistentRead === true &&
    Object.keys(body.Key ?? {}).join() === "userId" &&
    typeof body.Key.userId?.S === "string"
  );
}

describe("the site's DynamoDB requests", () => {
  it(
    "are strongly consistent key reads or writes across a whole visit",
    async () => {
      site.stack.proxy.clear();
      const page = await freshPage();

      await signUpInBrowser(page, site.stack.siteUrl, {
        email: newEmail(),
        webhook: "delay:0",
      });
      await page.goto(`${site.stack.siteUrl}/dashboard/billing`);
      await page.goto(`${site.stack.siteUrl}/`);
      await page.goto(`${site.stack.siteUrl}/dashboard`);
      await waitForEmailFromPage(page, 30_000);
      await page.reload();
      const requests = site.stack.proxy.requests();
      const writes = ["PutItem", "UpdateItem"];
      const others = requests.filter(
        (request) =>
          !isConsistentKeyRead(request, site.stack.table) &&
          !writes.includes(request.operation),
      );

      expect(others).toEqual([]);
      expect(requests.some((request) => request.operation === "GetItem")).toBe(
        true,
      );
    },
  );

  it(
    "cost one read per page for a returning user, and one more write for a new one",
    async () => {
      const { userId, cookie } = await signUpSession(site.stack.siteUrl, "never");
      const own = (requests: RecordedRequest[]) =>
        requests.filter(
          (r) => (r.body as { Key?: { userId?: { S?: string } } }).Key?.userId?.S === userId ||
            (r.body as { Item?: { userId?: { S?: string } } }).Item?.userId?.S === userId,
        );
      const visit = async (path: string) => {
        site.stack.proxy.clear();
        const response = await fetch(`${site.stack.siteUrl}${path}`, {
          headers: { cookie },
        });
        expect(response.status).toBe(200);
        await response.text();
        return own(site.stack.proxy.requests()).map((r) => r.operation);
      };

      expect(await visit("/dashboard")).toEqual(["GetItem", "PutItem"]);
      expect(await visit("/dashboard")).toEqual(["GetItem"]);
      expect(await visit("/dashboard/billing")).toEqual(["GetItem"]);
      expect(await visit("/api/customer")).toEqual(["GetItem"]);
    },
  );

  it(
    "never take the record from a header the browser sent",
    async () => {
      const { userId, cookie } = await signUpSession(site.stack.siteUrl, "never");
      await fetch(`${site.stack.siteUrl}/api/customer`, { headers: { cookie } });
      const forged = {
        userId,
        membership: "pro",
        status: "active",
        createdAt: "2020-01-01T00:00:00.000Z",
        updatedAt: "2020-01-01T00:00:00.000Z",
        createdBy: "webhook",
      };
      const header = Buffer.from(JSON.stringify(forged)).toString("base64url");
      for (const path of ["/api/customer", "/dashboard", "/pricing"]) {
        const response = await fetch(`${site.stack.siteUrl}${path}`, {
          headers: { cookie, "x-app-customer": header },
        });
        const body = await response.text();
        expect(response.status, path).toBe(200);
        expect(body, path).not.toContain("2020-01-01");
        if (path === "/api/customer") {
          expect(JSON.parse(body).membership).toBe("free");
        }
      }
      expect(await site.stack.item(userId)).toMatchObject({ membership: "free" });
    },
  );

  it(
    "creates one record when ten first API requests arrive at once",
    async () => {
      const { userId, cookie } = await signUpSession(site.stack.siteUrl, "never");

      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${site.stack.siteUrl}/api/customer`, { headers: { cookie } }),
        ),
      );
      const bodies = await Promise.all(
        responses.map(async (r) => (await r.json()) as { createdAt: string }),
      );
      const records = (await site.stack.items()).filter(
        (item) => item.userId === userId,
      );

      expect(responses.map((response) => response.status)).toEqual(
        Array(10).fill(200),
      );
      expect(new Set(bodies.map((body) => body.createdAt)).size).toBe(1);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        createdAt: bodies[0]!.createdAt,
        createdBy: "page",
      });
    },
  );

  it(
    "creates one record when ten first dashboards render at once",
    async () => {
      const { userId, cookie } = await signUpSession(site.stack.siteUrl, "never");

      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${site.stack.siteUrl}/dashboard`, { headers: { cookie } }),
        ),
      );
      const pages = await Promise.all(responses.map((r) => r.text()));
      const shown = pages.map(
        (html) =>
          /datetime="([^"]+)"[^>]*data-testid="created-at"/i.exec(html)?.[1],
      );
      const records = (await site.stack.items()).filter(
        (item) => item.userId === userId,
      );

      expect(responses.map((response) => response.status)).toEqual(
        Array(10).fill(200),
      );
      expect(records).toHaveLength(1);
      expect(shown).toEqual(Array(10).fill(records[0]!.createdAt));
    },
  );
});

describe("when the site cannot reach DynamoDB", () => {
  const outages = [
    { mode: "reset", how: "its connections are reset" },
    { mode: "error", how: "it answers 500 InternalServerError" },
  ] as const;
  for (const { mode, how } of outages) {
    it(
      `answers 503 and writes no record for a new user when ${how}`,
      async () => {
        site.stack.proxy.setMode(mode);
        const page = await freshPage();

        const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
          email: newEmail(),
          webhook: "never",
        });
        const landing = await page.content();
        if (mode === "error") await screenshot(page, "storage-down-503");
        const dashboard = await page.goto(`${site.stack.siteUrl}/dashboard`);
        const billing = await page.goto(`${site.stack.siteUrl}/dashboard/billing`);
        const api = await page.evaluate(async () => {
          const response = await fetch("/api/customer");
          return { status: response.status, body: await response.json() };
        });

        expect(landing).toContain("<h1>Temporarily unavailable</h1>");
        expect(dashboard?.status()).toBe(503);
        expect(billing?.status()).toBe(503);
        expect(api).toEqual({
          status: 503,
          body: { error: "temporarily-unavailable" },
        });
        expect(site.stack.proxy.requests().some((r) => r.handled === mode)).toBe(
          true,
        );
        expect(await site.stack.item(userId)).toBeUndefined();
      },
    );
  }

  it(
    "offers no upgrade in the header, since membership is unknown",
    async () => {
      const page = await freshPage();
      await signUpInBrowser(page, site.stack.siteUrl, {
        email: newEmail(),
        webhook: "never",
      });
      site.stack.proxy.setMode("error");

      const home = await page.goto(`${site.stack.siteUrl}/`);

      expect(home?.status()).toBe(200);
      expect(await upgradeLink(page).count()).toBe(0);
      expect(
        await page.locator("header").getByRole("link", { name: "Dashboard" })
          .count(),
      ).toBe(1);
    },
  );

  it(
    "serves the dashboard and creates the record once storage is back",
    async () => {
      site.stack.proxy.setMode("error");
      const page = await freshPage();
      const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
        email: newEmail(),
        webhook: "never",
      });
      const landing = await page.content();

      site.stack.proxy.setMode("forward");
      const response = await page.reload();
      const view = await readDashboard(page);

      expect(landing).toContain("<h1>Temporarily unavailable</h1>");
      expect(response?.status()).toBe(200);
      expect(view).toMatchObject({ membership: "free", createdBy: "page" });
      expect(await site.stack.item(userId)).toMatchObject({
        createdAt: view.createdAt,
      });
    },
  );
});
