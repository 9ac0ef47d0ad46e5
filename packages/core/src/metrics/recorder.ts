import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { namespace, type Metric, type Service } from "./names";

/** Low-cardinality values only: a reason, a path, a failure kind. */
export type Dimensions = Readonly<Record<string, string>>;

type Group = { dimensions: Dimensions; counts: Map<Metric, number> };

/**
 * Counts what happens during one invocation and writes it, on flush, as
 * CloudWatch embedded metric format: one JSON line on stdout per set of
 * dimension values, which CloudWatch Logs turns into metrics.
 */
export class Recorder {
  readonly #metrics: Metrics;
  readonly #groups = new Map<string, Group>();

  constructor(service: Service) {
    this.#metrics = new Metrics({ namespace, serviceName: service });
  }

  count(metric: Metric, dimensions: Dimensions = {}): void {
    const key = JSON.stringify(Object.entries(dimensions).sort());
    const group = this.#groups.get(key) ?? { dimensions, counts: new Map() };
    group.counts.set(metric, (group.counts.get(metric) ?? 0) + 1);
    this.#groups.set(key, group);
  }

  /**
   * Writes and forgets everything counted so far. Nothing counted writes
   * nothing: Powertools would warn about an empty flush on every call.
   */
  flush(): void {
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    for (const { dimensions, counts } of groups) {
      if (Object.keys(dimensions).length > 0) {
        // The empty set publishes the service-wide total beside the split
        // by value, so one alarm can watch every reason at once.
        this.#metrics.addDimensions({});
        this.#metrics.addDimensions(dimensions);
      }
      for (const [metric, value] of counts) {
        this.#metrics.addMetric(metric, MetricUnit.Count, value);
      }
      this.#metrics.publishStoredMetrics();
    }
  }
}
