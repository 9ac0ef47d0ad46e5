import { capturedOutput, jsonLines } from "./logs.js";

/** One CloudWatch embedded metric format document, as written. */
export type EmfDocument = {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [member: string]: unknown;
};

/** The metric documents written so far, in order. */
export function metricDocuments(): EmfDocument[] {
  return jsonLines().filter((line) => "_aws" in line) as EmfDocument[];
}

export type Count = {
  namespace: string;
  metric: string;
  value: unknown;
  dimensionSets: string[][];
  /** The value of every dimension the document declares. */
  dimensions: Record<string, unknown>;
};

/** Every metric of every document, flattened to one row each. */
export function counts(): Count[] {
  return metricDocuments().flatMap((document) =>
    document._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => {
        const names = [...new Set(directive.Dimensions.flat())];
        return {
          namespace: directive.Namespace,
          metric: metric.Name,
          value: document[metric.Name],
          dimensionSets: directive.Dimensions,
          dimensions: Object.fromEntries(
            names.map((name) => [name, document[name]]),
          ),
        };
      }),
    ),
  );
}

/** What was written that is neither a JSON log line nor a metric. */
export function otherOutput(): string[] {
  return capturedOutput
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.trim() !== "" && !line.startsWith("{"));
}
