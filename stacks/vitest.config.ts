import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["stacks/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
  },
});
