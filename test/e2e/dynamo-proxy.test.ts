import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  startDynamoDb,
  type LocalDynamo,
} from "../../packages/local/src/dynamodb.js";
import {
  startDynamoProxy,
  type DynamoProxy,
} from "../../packages/local/src/dynamo-proxy.js";
import { ensureTable } from "../../packages/local/src/resources.js";
import { freePort } from "../support/ports.js";

const table = "proxy-test";
const local = {
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
};

let dynamo: LocalDynamo;
let proxy: DynamoProxy;
let direct: DynamoDBDocumentClient;
let viaProxy: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamoDb({ port: await freePort() });
  await ensureTable(dynamo.endpoint, table);
  proxy = await startDynamoProxy({ target: dynamo.endpoint });
  direct = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...local, endpoint: dynamo.endpoint }),
  );
  // One attempt, so each refused request is seen exactly once.
  viaProxy = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...local, endpoint: proxy.endpoint, maxAttempts: 1 }),
  );
});

beforeEach(() => {
  proxy.setMode("forward");
  proxy.clear();
});

afterAll(async () => {
  viaProxy?.destroy();
  direct?.destroy();
  await proxy?.stop();
  await dynamo?.stop();
});

const put = (userId: string) =>
  new PutCommand({ TableName: table, Item: { userId, plan: "free" } });
const get = (userId: string) =>
  new GetCommand({ TableName: table, Key: { userId }, ConsistentRead: true });

describe("the DynamoDB proxy", () => {
  it("records each operation and body, and passes it on", async () => {
    await viaProxy.send(put("user_recorded"));
    const read = await viaProxy.send(get("user_recorded"));

    expect(read.Item).toEqual({ userId: "user_recorded", plan: "free" });
    expect(proxy.requests()).toEqual([
      {
        operation: "PutItem",
        body: {
          TableName: table,
          Item: { userId: { S: "user_recorded" }, plan: { S: "free" } },
        },
        handled: "forward",
      },
      {
        operation: "GetItem",
        body: {
          TableName: table,
          Key: { userId: { S: "user_recorded" } },
          ConsistentRead: true,
        },
        handled: "forward",
      },
    ]);
  });

  it("answers 500 in error mode and forwards nothing", async () => {
    proxy.setMode("error");

    const refused = viaProxy.send(put("user_refused500"));

    await expect(refused).rejects.toMatchObject({
      name: "InternalServerError",
      $metadata: { httpStatusCode: 500 },
    });
    expect((await direct.send(get("user_refused500"))).Item).toBeUndefined();
    expect(proxy.requests().map((request) => request.handled)).toEqual([
      "error",
    ]);
  });

  it("resets the connection in reset mode and forwards nothing", async () => {
    proxy.setMode("reset");

    const refused = viaProxy.send(put("user_refusedreset"));

    await expect(refused).rejects.toMatchObject({ code: "ECONNRESET" });
    expect((await direct.send(get("user_refusedreset"))).Item).toBeUndefined();
  });

  it("forwards again once switched back from a refusing mode", async () => {
    proxy.setMode("reset");
    await viaProxy.send(put("user_recovered")).catch(() => undefined);
    proxy.setMode("forward");

    await viaProxy.send(put("user_recovered"));

    expect((await direct.send(get("user_recovered"))).Item).toBeDefined();
  });
});
