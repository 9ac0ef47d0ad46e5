import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { inject, vi } from "vitest";
import { localAws } from "../../../local/src/aws.js";
import {
  startDynamoProxy,
  type DynamoProxy,
} from "../../../local/src/dynamo-proxy.js";
import { useLocalAws } from "../../../../test/support/aws.js";

type Provision = typeof import("../../src/provision.js");

/**
 * The real parts every schedule of the file shares: the proxy in front
 * of DynamoDB Local, a client that bypasses it for the checks, and two
 * consumer modules, each loaded on its own as two Lambda containers are.
 */
export type Rig = {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  sqs: SQSClient;
  proxy: DynamoProxy;
  /** Straight to DynamoDB Local: what the checks read. */
  direct: DynamoDBDocumentClient;
  consumers: [Provision["createHandler"], Provision["createHandler"]];
  /** Milliseconds to hold each product request to DynamoDB, per call. */
  setLatency(next: () => number): void;
  stop(): Promise<void>;
};

export async function startRig(): Promise<Rig> {
  // Sets the AWS variables the product reads and gives an SQS client; the
  // table and queues it makes are left alone, each schedule makes its own.
  const aws = await useLocalAws({ visibilityTimeoutSeconds: 1 });
  const dynamoEndpoint = inject("dynamoEndpoint");
  const proxy = await startDynamoProxy({ target: dynamoEndpoint });
  const clients: DynamoDBDocumentClient[] = [];
  let latency = () => 0;
  const client = (endpoint: string, slow = false) => {
    const base = new DynamoDBClient({ ...localAws, endpoint });
    // Before the SDK's retries: the whole call is late, as when a
    // container stalls or the network is slow, not each attempt.
    if (slow) {
      base.middlewareStack.add(
        (next) => async (args) => {
          const ms = latency();
          if (ms > 0) await new Promise((wake) => setTimeout(wake, ms));
          return next(args);
        },
        { step: "initialize", name: "faultLatency" },
      );
    }
    const made = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true },
    });
    clients.push(made);
    return made;
  };

  // The pages in this file and the first consumer share this module
  // graph, so they share its DynamoDB client, pointed at the proxy.
  const first = await import("../../src/provision.js");
  const firstDynamo = await import("@app/core/dynamo");
  firstDynamo.useDocumentClient(client(proxy.endpoint, true));
  // A second graph: its own batch processor and its own client, so two
  // batches can run at once without sharing state they must not share.
  vi.resetModules();
  const second = await import("../../src/provision.js");
  const secondDynamo = await import("@app/core/dynamo");
  secondDynamo.useDocumentClient(client(proxy.endpoint, true));
  if (first.createHandler === second.createHandler) {
    throw new Error("the second consumer shares the first one's module");
  }

  return {
    dynamoEndpoint,
    sqsEndpoint: inject("sqsEndpoint"),
    sqs: aws.sqs,
    proxy,
    direct: client(dynamoEndpoint),
    consumers: [first.createHandler, second.createHandler],
    setLatency: (next) => void (latency = next),
    async stop() {
      for (const made of clients) made.destroy();
      await proxy.stop();
    },
  };
}
