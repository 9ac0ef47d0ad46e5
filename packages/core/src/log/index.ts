import { Logger } from "@aws-lambda-powertools/logger";

/**
 * One JSON logger per service. Log ids and outcomes only: never emails,
 * names, tokens, secrets or whole payloads.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
