/** Everything this test file's code wrote to stdout and stderr. */
export const capturedOutput: string[] = [];

/** The structured log lines written so far, parsed. */
export function logLines(): Array<Record<string, any>> {
  return capturedOutput
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export function clearLogs(): void {
  capturedOutput.length = 0;
}
