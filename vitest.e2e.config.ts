import { defineConfig } from "vitest/config";

// Known and documented (README, Limitations); it would bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/**
 * The browser tests: each file starts the whole offline stack with
 * `npm start` and drives the site in headless Chromium. Kept out of
 * `npm test`, which stays quick; run with `npm run test:e2e`.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/support/global-setup.ts"],
    pool: "forks",
    // One stack at a time: each is a JVM, Next and Chromium.
    fileParallelism: false,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 120_000,
    // Starting a stack (Java, SQS, the consumer, Next) is the slow hook.
    hookTimeout: 180_000,
  },
});
