import { emailPattern } from "../../support/fixtures.js";

/** The JSON log lines in a process's output, skipping everything else. */
export function jsonLines(output: string): Array<Record<string, any>> {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, any>];
      } catch {
        return [];
      }
    });
}

/** The consumer's "message applied" lines for one user. */
export function appliedFor(output: string, userId: string) {
  return jsonLines(output).filter(
    (line) => line.message === "message applied" && line.userId === userId,
  );
}

/** The front's "local webhook sent" lines for one user. */
export function webhooksSentFor(output: string, userId: string) {
  return jsonLines(output).filter(
    (line) => line.message === "local webhook sent" && line.userId === userId,
  );
}

/** Email addresses in a process's output; logs may carry ids only. */
export function emailsIn(output: string): string[] {
  return output.match(emailPattern) ?? [];
}
