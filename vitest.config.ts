import { defineConfig } from "vitest/config";

// The AWS SDK warns once per process that it will soon need Node 22; the
// warning is known (README, Limitations) and would bury the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "stacks/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/log-capture.ts"],
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
