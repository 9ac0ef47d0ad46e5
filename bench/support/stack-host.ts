import { rmSync } from "node:fs";
import { localConfig } from "@app/local/config";
import { startStack, type LocalStack } from "@app/local/stack";

/**
 * Runs the offline stack in a process of its own, so the load generator
 * and the stack do not share an event loop. The bench talks to it over
 * IPC: one `ready` message out, a `stop` message (or the bench's exit) in.
 */
async function main() {
  const site = !process.argv.includes("--no-site");
  const throwaway = process.argv.includes("--throwaway");
  const config = localConfig();
  let stack: LocalStack | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      await stack?.stop();
      if (throwaway) rmSync(config.stateDir, { recursive: true, force: true });
      process.exit(0);
    })());
  process.on("message", (message) => {
    if (message === "stop") void shutdown();
  });
  // The bench died without asking: stop Java and Next all the same.
  process.on("disconnect", () => void shutdown());
  // Its ends of the output pipes are gone with it; a failed write must
  // not crash that shutdown.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", () => undefined);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void shutdown());
  }
  stack = await startStack(config, {
    inMemory: false,
    site,
    siteDynamoEndpoint: config.siteDynamoEndpoint,
  });
  process.send?.({
    ready: {
      apiUrl: stack.apiUrl,
      siteUrl: stack.siteUrl,
      dynamoEndpoint: stack.dynamoEndpoint,
      sqsEndpoint: stack.sqsEndpoint,
      queues: stack.queues,
    },
  });
}

main().catch((error) => {
  console.error("bench stack failed to start", error);
  process.send?.({ failed: String(error) });
  process.exit(1);
});
