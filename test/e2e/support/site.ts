import { randomBytes } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import { eventually } from "../../support/aws.js";
import { screenshot } from "./browser.js";
import type { Item } from "./stack.js";

/** What the offline front accepts for when `user.created` is sent. */
export type WebhookPlan = `delay:${number}` | "never" | "twice";

/** A fresh address per sign-up: the front refuses one it has seen. */
export function newEmail(): string {
  return `e2e-${randomBytes(6).toString("hex")}@example.test`;
}

/**
 * Signs up through the /signup form, as a person would, and returns once
 * the browser has landed on the dashboard.
 */
export async function signUpInBrowser(
  page: Page,
  siteUrl: string,
  options: { email: string; webhook: WebhookPlan; screenshotAs?: string },
): Promise<{ userId: string }> {
  await page.goto(`${siteUrl}/signup`);
  await page.locator("input[name=email]").fill(options.email);
  await page.locator("input[name=firstName]").fill("Ada");
  await page.locator("input[name=lastName]").fill("Lovelace");
  await chooseWebhook(page, options.webhook);
  if (options.screenshotAs) await screenshot(page, options.screenshotAs);
  await page.locator("form button[type=submit]").click();
  await page.waitForURL(`${siteUrl}/dashboard`);
  return { userId: await userIdOf(page.context()) };
}

async function chooseWebhook(page: Page, plan: WebhookPlan) {
  await page.getByTestId("signup-webhook").selectOption(plan);
}

/** The Clerk user id in the session cookie the front set. */
export async function userIdOf(context: BrowserContext): Promise<string> {
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === "__session");
  if (!session) throw new Error("no __session cookie: not signed in");
  return subjectOf(session.value);
}

/**
 * Signs up without a browser and without following the redirect, so no
 * page has asked for the record yet: the session of a brand-new user.
 */
export async function signUpSession(
  siteUrl: string,
  webhook: WebhookPlan,
): Promise<{ userId: string; cookie: string }> {
  const response = await fetch(`${siteUrl}/local/sign-up`, {
    method: "POST",
    body: new URLSearchParams({ email: newEmail(), webhook }),
    redirect: "manual",
  });
  if (response.status !== 303) {
    throw new Error(`sign-up answered ${response.status}`);
  }
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0]!)
    .join("; ");
  const token = /__session=([^;]+)/.exec(cookie)?.[1];
  if (!token) throw new Error("sign-up set no __session cookie");
  return { userId: subjectOf(token), cookie };
}

function subjectOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  return String(claims.sub);
}

export type DashboardView = {
  membership: string;
  dashboardMembership: string;
  email: string;
  createdAt: string;
  createdBy: string;
};

export async function readDashboard(page: Page): Promise<DashboardView> {
  const text = async (testId: string) =>
    (await page.getByTestId(testId).textContent())?.trim() ?? "";
  return {
    membership: await text("membership"),
    dashboardMembership: await text("dashboard-membership"),
    email: await text("email"),
    // The page shows a readable date; the machine form is in datetime.
    createdAt:
      (await page.getByTestId("created-at").getAttribute("datetime")) ?? "",
    createdBy: await text("created-by"),
  };
}

/** The "Upgrade" link in the site header, present for free members. */
export function upgradeLink(page: Page) {
  return page.locator("header").getByRole("link", { name: "Upgrade" });
}

/**
 * Asks /api/customer from inside the page, as the page's own script
 * would, until the record carries an email (the webhook has landed).
 * waitForFunction does not await a promise its predicate returns, so
 * this polls with evaluate, which does.
 */
export async function waitForEmailFromPage(
  page: Page,
  timeoutMs: number,
): Promise<Item> {
  return eventually(async () => {
    const customer = await page.evaluate(async () => {
      const response = await fetch("/api/customer");
      return (await response.json()) as Item;
    });
    return customer.email ? customer : undefined;
  }, timeoutMs);
}
