import type { TestProject } from "vitest/node";
import { startDynamoDb } from "../../packages/local/src/dynamodb.js";
import { startSqs } from "../../packages/local/src/sqs.js";
import { freePort } from "./ports.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

/**
 * One DynamoDB Local and one SQS server for the whole run; each test file
 * makes its own table and queues, so files never see each other's data.
 */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDb({ port: await freePort() });
  const sqs = await startSqs({ port: await freePort() });
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sqsEndpoint", sqs.endpoint);
  return async () => {
    await sqs.stop();
    await dynamo.stop();
  };
}
