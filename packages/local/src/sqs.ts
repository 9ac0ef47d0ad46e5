import type { Server } from "node:http";
import { createSqsServer } from "local-aws-sqs";

export type LocalSqs = { endpoint: string; stop(): Promise<void> };

/** Serves the SQS API in this process, on the loopback interface only. */
export async function startSqs(options: { port: number }): Promise<LocalSqs> {
  const server: Server = await createSqsServer({
    port: options.port,
    hostname: "127.0.0.1",
    emulateQueueCreationLifecycle: false,
  });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
