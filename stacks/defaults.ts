import type { App } from "sst/constructs";

export function configureApp(app: App): void {
  app.setDefaultFunctionProps({
    // Node 20 is past its end of life; the handlers are plain ES2022.
    runtime: "nodejs22.x",
    architecture: "arm_64",
    // Active tracing makes CDK grant xray:PutTraceSegments and
    // xray:PutTelemetryRecords on "*" to every role, and no handler here
    // emits traces, so it stays off to keep each role to what it uses.
    tracing: "disabled",
  });
}
