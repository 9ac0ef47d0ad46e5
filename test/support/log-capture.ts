import { afterAll, expect } from "vitest";
import { emailPattern, fixtureEmails } from "./fixtures.js";
import { capturedOutput } from "./logs.js";

const allOutput: string[] = [];

// The handlers log through Powertools, which writes to process.stdout.
// Keeping that output lets tests read log lines and lets the check below
// prove that no personal data ever reaches a log.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    capturedOutput.push(text);
    allOutput.push(text);
    if (process.env.SHOW_LOGS) return (write as any)(chunk, ...rest);
    const callback = rest.find((arg) => typeof arg === "function");
    if (callback) (callback as () => void)();
    return true;
  }) as typeof stream.write;
}

afterAll(() => {
  const emails = fixtureEmails();
  const text = allOutput.join("");
  const leakedFixtureEmails = emails.filter((email) => text.includes(email));
  const anyEmail = text.match(emailPattern) ?? [];
  expect(leakedFixtureEmails, "fixture emails in log output").toEqual([]);
  expect(anyEmail, "email addresses in log output").toEqual([]);
});
