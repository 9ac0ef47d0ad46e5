import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { launchBrowser } from "./browser.js";
import { emailsIn } from "./logs.js";
import { startE2eStack, type E2eStack } from "./stack.js";

/**
 * One offline stack and one browser for a test file, a fresh browser
 * context per page, and a check at the end that nothing the stack printed
 * (front, webhook, consumer, site) carried an email address.
 */
export function useSiteInBrowser(
  options: { afterEach?: () => void; dataDir?: string } = {},
) {
  let stack: E2eStack | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    stack = await startE2eStack({ dataDir: options.dataDir });
    browser = await launchBrowser();
  });

  afterEach(async () => {
    options.afterEach?.();
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    const output = stack?.output() ?? "";
    await stack?.stop();
    expect(emailsIn(output)).toEqual([]);
  });

  return {
    get stack(): E2eStack {
      if (!stack) throw new Error("the stack has not started");
      return stack;
    },
    async freshPage(): Promise<Page> {
      context = await browser!.newContext();
      return context.newPage();
    },
  };
}
