import {
  ConditionalCheckFailedException,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { errorCode, UnavailableError } from "../errors";

let client: DynamoDBDocumentClient | undefined;

/**
 * One document client per process. The endpoint comes from the SDK's own
 * settings (AWS_ENDPOINT_URL_DYNAMODB offline), so this code does not know
 * whether it talks to AWS or to DynamoDB Local.
 */
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}

/** Replaces the process-wide client; tests use it to observe requests. */
export function useDocumentClient(next: DynamoDBDocumentClient): void {
  client = next;
}

/** A lost conditional write: an outcome to report, not a failure. */
export function isConditionFailure(
  error: unknown,
): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Every storage failure becomes "unavailable": a wrong table, missing
 * credentials or throttling must never look like "no such customer".
 */
export function storageError(
  error: unknown,
  operation: string,
  data: Record<string, unknown>,
): UnavailableError {
  const code = errorCode(error);
  return new UnavailableError(
    `storage unavailable during ${operation}: ${code}`,
    { ...data, operation, code },
    { cause: error },
  );
}

