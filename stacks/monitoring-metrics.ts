import { Duration } from "aws-cdk-lib";
import { MathExpression, Metric } from "aws-cdk-lib/aws-cloudwatch";
import {
  namespace,
  type Metric as Name,
  type Service,
} from "../packages/core/src/metrics/names.js";

const fiveMinutes = Duration.minutes(5);

/**
 * A count the handlers publish as embedded metric format. With no extra
 * dimensions it is the service-wide total the handlers publish beside
 * every split.
 */
export function published(
  name: Name,
  service: Service,
  dimensions: Record<string, string> = {},
  period = fiveMinutes,
): Metric {
  return new Metric({
    namespace,
    metricName: name,
    dimensionsMap: { service, ...dimensions },
    statistic: "Sum",
    period,
  });
}

/**
 * One line per value of `dimension`, for a graph: the values (reasons,
 * failure kinds) are found when the dashboard is read, so a new reason
 * shows up without a deploy. Alarms cannot use a search.
 */
export function perValue(
  name: Name,
  service: Service,
  dimension: string,
): MathExpression {
  const schema = `{${namespace},service,${dimension}}`;
  const terms = `MetricName="${name}" service="${service}"`;
  return new MathExpression({
    expression: `SEARCH('${schema} ${terms}', 'Sum', 300)`,
    usingMetrics: {},
    period: fiveMinutes,
  });
}
