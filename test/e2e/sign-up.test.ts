import { describe, expect, it } from "vitest";
import { eventually } from "../support/aws.js";
import { screenshot } from "./support/browser.js";
import { appliedFor, webhooksSentFor } from "./support/logs.js";
import {
  newEmail,
  readDashboard,
  signUpInBrowser,
  signUpSession,
  upgradeLink,
  waitForEmailFromPage,
} from "./support/site.js";
import { useSiteInBrowser } from "./support/session.js";

/** Shown until the webhook has filled in the profile. */
const emailPlaceholder = "arriving from Clerk (reload to see it)";

const site = useSiteInBrowser();
const freshPage = () => site.freshPage();

describe("signing up", () => {
  it(
    "shows a free dashboard at once, and the email after a late webhook",
    async () => {
      const page = await freshPage();
      const email = newEmail();

      const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
        email,
        webhook: "delay:5000",
        screenshotAs: "signup-form",
      });
      const first = await readDashboard(page);
      await screenshot(page, "dashboard-first-render");
      const offersUpgrade = await upgradeLink(page).isVisible();
      const billing = await page.goto(`${site.stack.siteUrl}/dashboard/billing`);
      const billingMembership = page.getByTestId("billing-membership");
      const subscription = page.getByTestId("subscription-status");
      await screenshot(page, "billing");

      expect(first).toMatchObject({
        membership: "free",
        dashboardMembership: "free",
        email: emailPlaceholder,
        createdBy: "page",
      });
      expect(offersUpgrade).toBe(true);
      expect(billing?.status()).toBe(200);
      expect(await billingMembership.textContent()).toBe("free");
      expect(await subscription.textContent()).toBe("none");

      await page.goto(`${site.stack.siteUrl}/dashboard`);
      const landed = await waitForEmailFromPage(page, 30_000);
      await page.reload();
      const after = await readDashboard(page);
      await screenshot(page, "dashboard-after-webhook");

      expect(landed.email).toBe(email);
      expect(after).toEqual({ ...first, email });
      expect(await site.stack.item(userId)).toMatchObject({
        email,
        createdAt: first.createdAt,
        createdBy: "page",
      });
    },
  );

  it(
    "keeps a working free dashboard when the webhook never comes",
    async () => {
      const page = await freshPage();
      const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
        email: newEmail(),
        webhook: "never",
      });
      const first = await readDashboard(page);

      // A later sign-up whose webhook waits 5 s, longer than the plans
      // the form offers by default: once its webhook has landed, one for
      // the first user would have landed too.
      const witness = await signUpSession(site.stack.siteUrl, "delay:5000");
      await eventually(async () => (await site.stack.item(witness.userId))?.email);
      const billing = await page.goto(`${site.stack.siteUrl}/dashboard/billing`);
      await page.goto(`${site.stack.siteUrl}/dashboard`);
      const after = await readDashboard(page);

      expect(first).toMatchObject({
        membership: "free",
        dashboardMembership: "free",
        email: emailPlaceholder,
        createdBy: "page",
      });
      expect(billing?.status()).toBe(200);
      expect(after).toEqual(first);
      expect((await site.stack.item(userId))?.email).toBeUndefined();
      expect(webhooksSentFor(site.stack.output(), userId)).toEqual([]);
    },
  );

  it(
    "keeps one record and the page's createdAt when the webhook comes twice",
    async () => {
      const page = await freshPage();
      const email = newEmail();
      const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
        email,
        webhook: "twice",
      });
      const first = await readDashboard(page);

      await eventually(
        async () => appliedFor(site.stack.output(), userId)[1],
        30_000,
      );
      await page.reload();
      const after = await readDashboard(page);
      const records = (await site.stack.items()).filter(
        (item) => item.userId === userId,
      );

      expect(first.createdBy).toBe("page");
      expect(after).toEqual({ ...first, email });
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ createdAt: first.createdAt, email });
    },
  );
});

describe("signed out", () => {
  it("sends a signed-out visitor from the dashboard to /login", async () => {
    const page = await freshPage();
    const landed: string[] = [];

    for (const path of ["/dashboard", "/dashboard/billing"]) {
      await page.goto(`${site.stack.siteUrl}${path}`);
      landed.push(new URL(page.url()).pathname);
    }
    const heading = page.getByRole("heading", { name: "Log in" });

    expect(landed).toEqual(["/login", "/login"]);
    expect(await heading.count()).toBe(1);
  });

  it("answers 401 from /api/customer when signed out", async () => {
    const response = await fetch(`${site.stack.siteUrl}/api/customer`);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "signed-out" });
  });
});
