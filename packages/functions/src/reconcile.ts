import type { Context } from "aws-lambda";
import { ConfigError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import { countReconciled, Recorder, Service } from "@app/core/metrics";
import * as Reconcile from "@app/core/reconcile";
import { loadOnce } from "./config";
import { reconcileConfig, type ReconcileConfig } from "./reconcile-config";

const logger = createLogger("reconcile");
const metrics = new Recorder(Service.reconcile);

// No page is started in the last minute before the Lambda's timeout, so
// a long run ends with its report instead of being cut off mid-page.
const reserveMs = 60_000;

/**
 * Makes sure every Clerk user has a customer record; run once a day.
 * A run that stops (Clerk or storage unavailable, a bad secret) fails
 * the invocation after logging its counts; per-user failures do not.
 */
export function createHandler(load: () => ReconcileConfig) {
  const setup = loadOnce(load);
  return async (_event: unknown, context?: Context) => {
    if (setup instanceof ConfigError) {
      logger.error("reconcile misconfigured", { reason: setup.message });
      throw setup;
    }
    const stopAt = context
      ? Date.now() + context.getRemainingTimeInMillis() - reserveMs
      : undefined;
    const pages = Reconcile.clerkUserPages({
      secretKey: setup.secretKey,
      apiUrl: setup.apiUrl,
      onRetry: (retry) => logger.warn("clerk asked to wait", retry),
    });
    try {
      const report = await Reconcile.run(pages, { stopAt, onUser: logUser });
      const level = report.failed || !report.complete ? "error" : "info";
      logger[level]("reconcile finished", report);
      return report;
    } catch (error) {
      logger.error("reconcile stopped", {
        error: error instanceof Error ? error.name : "Unknown",
        reason: error instanceof Error ? error.message : String(error),
        data: (error as { data?: unknown }).data,
      });
      throw error;
    } finally {
      metrics.flush();
    }
  };
}

/** Ids and outcomes only; the users' profiles never reach a log. */
function logUser(result: Reconcile.UserResult) {
  countReconciled(metrics, result.outcome);
  if (result.outcome === "failed") {
    logger.error("customer not reconciled", { ...result });
  } else if (result.outcome === "created") {
    logger.info("customer reconciled", result);
  } else {
    logger.debug("customer reconciled", result);
  }
}

export const handler = createHandler(() => reconcileConfig());
