import Stripe from "stripe";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { defaultSecretKey } from "../../packages/local/src/stripe-api/index.js";
import { eventually } from "../support/aws.js";
import { screenshot } from "./support/browser.js";
import { useSiteInBrowser } from "./support/session.js";
import {
  newEmail,
  readDashboard,
  signUpInBrowser,
  upgradeLink,
  userIdOf,
} from "./support/site.js";

const site = useSiteInBrowser();

/** The local Stripe that `npm start` runs, through the real SDK. */
function localStripe(): Stripe {
  const url = new URL(site.stack.stripeUrl);
  return new Stripe(defaultSecretKey, {
    host: url.hostname,
    port: Number(url.port),
    protocol: "http",
  });
}

/** Pays on the local Stripe's hosted checkout page. */
async function pay(page: Page) {
  await page.waitForURL(`${site.stack.stripeUrl}/pay/**`);
  await screenshot(page, "stripe-checkout");
  await page.getByTestId("stripe-pay").click();
  await page.waitForURL(`${site.stack.siteUrl}/checkout/success?**`);
}

const text = async (page: Page, testId: string) =>
  (await page.getByTestId(testId).textContent())?.trim();

describe("upgrading to pro", () => {
  it("upgrades a free user: checkout, then pro on the success page and the dashboard", async () => {
    const page = await site.freshPage();
    const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
      email: newEmail(),
      webhook: "delay:0",
    });
    expect((await readDashboard(page)).membership).toBe("free");

    await page.goto(`${site.stack.siteUrl}/pricing`);
    await page.getByTestId("start-checkout").click();
    await pay(page);
    await screenshot(page, "checkout-success");
    expect(await text(page, "success-membership")).toBe("pro");

    await page.goto(`${site.stack.siteUrl}/dashboard`);
    expect((await readDashboard(page)).membership).toBe("pro");
    expect(await page.getByTestId("reports").textContent()).toContain(
      "Your weekly reports are ready.",
    );
    expect(await upgradeLink(page).count()).toBe(0);

    const item = await site.stack.item(userId);
    expect(item).toMatchObject({
      membership: "pro",
      subscriptionStatus: "active",
    });
    const stripeCustomer = await localStripe().customers.retrieve(
      item!.stripeCustomerId,
    );
    expect(stripeCustomer).toMatchObject({ metadata: { userId } });
  });

  it("shows the subscription; cancelling keeps pro until the period ends", async () => {
    const page = await site.freshPage();
    const { userId } = await signUpInBrowser(page, site.stack.siteUrl, {
      email: newEmail(),
      webhook: "delay:0",
    });
    await page.goto(`${site.stack.siteUrl}/pricing`);
    await page.getByTestId("start-checkout").click();
    await pay(page);

    await page.goto(`${site.stack.siteUrl}/dashboard/billing`);
    expect(await text(page, "billing-membership")).toBe("pro");
    expect(await text(page, "subscription-status")).toBe("active");
    const renews = await page.getByTestId("period-end").getAttribute("datetime");
    const subscription = (
      await localStripe().subscriptions.list({
        customer: (await site.stack.item(userId))!.stripeCustomerId,
      })
    ).data[0]!;
    const itemEnd = subscription.items.data[0]!.current_period_end;
    expect(renews).toBe(new Date(itemEnd * 1000).toISOString());
    expect(await page.getByTestId("cancels-at-period-end").count()).toBe(0);
    await screenshot(page, "billing-pro");

    await page.getByTestId("manage-billing").click();
    await page.waitForURL(`${site.stack.stripeUrl}/portal/**`);
    await page.getByTestId("stripe-cancel-at-period-end").click();
    await screenshot(page, "stripe-portal-cancelled");
    await page.getByTestId("stripe-portal-return").click();
    await page.waitForURL(`${site.stack.siteUrl}/dashboard/billing`);

    // The portal's change reaches the record through Stripe's webhook.
    await eventually(async () => {
      await page.reload();
      return (await page.getByTestId("cancels-at-period-end").count())
        ? true
        : undefined;
    });
    await screenshot(page, "billing-cancelling");
    expect(await text(page, "billing-membership")).toBe("pro");
    expect(await page.getByTestId("period-end").getAttribute("datetime")).toBe(
      renews,
    );
    expect(await site.stack.item(userId)).toMatchObject({
      membership: "pro",
      cancelAtPeriodEnd: true,
    });
  });

  it("sends a signed-out visitor through sign-up and straight on to checkout", async () => {
    const page = await site.freshPage();
    await page.goto(`${site.stack.siteUrl}/pricing`);
    await page.getByTestId("start-checkout").click();
    await page.waitForURL(`${site.stack.siteUrl}/signup?redirect_url=**`);
    await page.locator("input[name=email]").fill(newEmail());
    await page.getByTestId("signup-webhook").selectOption("delay:0");
    await page.getByTestId("signup-submit").click();
    await pay(page);
    expect(await text(page, "success-membership")).toBe("pro");
    const userId = await userIdOf(page.context());
    expect(await site.stack.item(userId)).toMatchObject({ membership: "pro" });
  });
});
