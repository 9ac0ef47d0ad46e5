import { z } from "zod";
import { ConfigError } from "../errors";

type Env = Record<string, string | undefined>;

/**
 * Parses environment variables with a zod shape. A failure names every
 * variable that is missing or malformed, so start-up errors are obvious.
 */
export function readEnv<T extends z.ZodRawShape>(
  shape: T,
  env: Env = process.env,
): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = env[name];
    return value === undefined || value === ""
      ? `${name} is not set`
      : `${name} is malformed: ${issue.message}`;
  });
  const names = [...new Set(result.error.issues.map((i) => String(i.path[0])))];
  throw new ConfigError(problems.join("; "), names);
}

export const TableName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{3,255}$/, "not a DynamoDB table name");

/**
 * Read on every call, never at import: the site is built with no AWS
 * resources and learns its table only when a request arrives.
 */
export function customersTable(env: Env = process.env): string {
  return readEnv({ CUSTOMERS_TABLE: TableName }, env).CUSTOMERS_TABLE;
}
