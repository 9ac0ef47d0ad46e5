import { platform } from "node:os";
import type { OpenNextConfig } from "@opennextjs/aws/types/open-next.js";

/**
 * The same site bundled to run on this machine as one Node process:
 * OpenNext's Express server instead of the Lambda wrapper, the cache on
 * disk, and no revalidation queue or tag table (the site revalidates
 * nothing). `npm run build:open-next:local` builds it into .open-next-local.
 */
const config = {
  default: {
    override: {
      wrapper: "express-dev",
      converter: "node",
      incrementalCache: "fs-dev",
      tagCache: "dummy",
      queue: "dummy",
    },
  },
  // As in the deploy build (open-next.config.ts).
  dangerous: { disableTagCache: true },
  imageOptimization: {
    override: { wrapper: "dummy", converter: "dummy" },
    loader: "fs-dev",
    // This machine's sharp binaries are in the npm cache since
    // `npm install` put them in node_modules, so no fetch is needed.
    install: {
      packages: ["sharp@0.35.6"],
      os: platform(),
      additionalArgs: "--offline --no-audit --no-fund",
    },
  },
} satisfies OpenNextConfig;

export default config;
