import type fc from "fast-check";
import type { Fate, Schedule, When } from "./schedule.js";

/**
 * What a failed property run prints: how to replay it, the schedule
 * and every violation. Ids and versions only, never an email.
 */
export function failureReport(details: fc.RunDetails<[Schedule]>): string {
  const [schedule] = details.counterexample ?? [];
  const cause =
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : String(details.errorInstance);
  return [
    `schedule failed after ${details.numRuns} runs; replay with`,
    `  FAULT_SEED=${details.seed} FAULT_PATH=${details.counterexamplePath} ` +
      "npx vitest run packages/functions/test/faults",
    "schedule:",
    schedule ? describeSchedule(schedule) : "  (none)",
    "violations:",
    cause,
  ].join("\n");
}

/** One line per user and fault, ids and versions only, for a report. */
export function describeSchedule(schedule: Schedule): string {
  const when = (slot: When) => (slot === "held" ? "held" : `@${slot}`);
  const tries = (list: Array<{ fate: Fate }>, at: (i: number) => string) =>
    list.map((attempt, i) => `${attempt.fate}${at(i)}`).join("/");
  const lines = schedule.users.map((user, i) => {
    const clerk = user.clerk.map(
      (event) =>
        `${event.type.slice(5)}#${event.version}@${event.occurs}` +
        `[${tries(event.attempts, (n) => when(event.attempts[n]!.slot))}]`,
    );
    const pages = user.pages.map((page) => `page@${page.slot}x${page.tabs}`);
    const stripe = user.stripe
      ? [
          `${user.stripe.via}@${user.stripe.starts}`,
          ...user.stripe.steps.map(
            ({ slot, step }) =>
              `${step.kind === "status" ? step.status : step.kind}@${slot}`,
          ),
          `deliveries[${user.stripe.deliveries
            .map((d) => tries(d, (n) => `+${d[n]!.after}`))
            .join(" ")}]`,
        ]
      : [];
    return `  u${i}: ${[...clerk, ...pages, ...stripe].join(" ")}`;
  });
  const outages = schedule.outages.map(
    (o) => `reset@${o.from}x${o.resetSlots} then 500x${o.errorSlots}`,
  );
  const slowness = schedule.slowness.map(
    (s) => `@${s.from}x${s.slots} by ${s.delaysMs.join(",")} ms`,
  );
  return [
    `  gaps ${schedule.gapsMs.join(",")} ms; consumers ${schedule.consumers}`,
    `  outages: ${outages.join("; ") || "none"}`,
    `  slow: ${slowness.join("; ") || "never"}`,
    `  crashes: ${schedule.crashes.map((k) => k ?? "-").join(",") || "none"}`,
    `  clock: ${schedule.clockAdvanceAt ?? "never"}`,
    ...lines,
  ].join("\n");
}
