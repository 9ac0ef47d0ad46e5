import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from "@aws-lambda-powertools/batch";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { isPermanent, UnavailableError } from "@app/core/errors";
import { createLogger } from "@app/core/log";
import {
  countApplied,
  countFailed,
  Recorder,
  Service,
} from "@app/core/metrics";
import { processMessage, type Dependencies } from "@app/core/provision";
import { consumerConfig } from "./consumer-config";

const logger = createLogger("provision");
const processor = new BatchProcessor(EventType.SQS);
const metrics = new Recorder(Service.provision);

/**
 * Applies each message on its own: a failed one is reported back to SQS
 * and retried (then parked in the DLQ), its neighbours are not.
 */
export function createHandler(load: () => Dependencies) {
  const deps = load();
  const handleRecord = (record: SQSRecord) => applyRecord(record, deps);
  return async (event: SQSEvent, context?: Context) => {
    try {
      return await processPartialResponse(event, handleRecord, processor, {
        context,
        // A fully failed batch is reported item by item like any other, so
        // the event source mapping and the local poller see the same shape.
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.flush();
    }
  };
}

async function applyRecord(record: SQSRecord, deps: Dependencies) {
  const ids = {
    messageId: record.messageId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
  };
  try {
    const processed = await processMessage(record.body, deps);
    countApplied(metrics, processed.outcome);
    if (processed.unknownStatus) {
      // Membership was left as it was; someone should teach the mapping
      // the new status (packages/core/src/stripe/membership.ts).
      logger.warn("unknown subscription status", { ...ids, ...processed });
    } else {
      logger.info("message applied", { ...ids, ...processed });
    }
  } catch (error) {
    const permanent = isPermanent(error);
    // A permanent failure is logged and counted on its first receive only;
    // the later receives on its way to the DLQ add nothing for an operator.
    if (permanent && ids.receiveCount > 1) {
      logger.debug("message failed again", ids);
      throw error;
    }
    const failure = permanent ? "permanent" : "transient";
    countFailed(metrics, failure);
    const fields = {
      ...ids,
      failure,
      error: error instanceof Error ? error.name : "Unknown",
      reason: error instanceof Error ? error.message : String(error),
      data: (error as { data?: unknown }).data,
    };
    // A transient storage failure is expected now and then and is retried;
    // a permanent failure or an unknown error needs a person.
    if (error instanceof UnavailableError) {
      logger.warn("message failed", fields);
    } else {
      logger.error("message failed", fields);
    }
    throw error;
  }
}

export const handler = createHandler(() => consumerConfig());
