/** Everything this test file's code wrote to stdout and stderr. */
export const capturedOutput: string[] = [];

/** The structured log lines written so far, parsed; metrics excluded. */
export function logLines(): Array<Record<string, any>> {
  return jsonLines().filter((line) => !("_aws" in line));
}

/** Every JSON line written so far, metric documents included. */
export function jsonLines(): Array<Record<string, any>> {
  return capturedOutput
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export function clearLogs(): void {
  capturedOutput.length = 0;
}
