import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootDir } from "@app/local/config";
import type { Outcome } from "./benchmark";
import { machineLine, type Machine } from "./machine";

export const resultsDir = join(rootDir, "bench", "results");

export type Result = Outcome & {
  name: string;
  title: string;
  date: string;
  machine: Machine;
  durationMs: number;
};

export function writeResult(result: Result): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

/** Every result on disk, in the order the benchmarks are listed. */
export function readResults(order: string[]): Result[] {
  const names = readdirSync(resultsDir).filter((name) =>
    name.endsWith(".json"),
  );
  const results = names.map(
    (name) =>
      JSON.parse(readFileSync(join(resultsDir, name), "utf8")) as Result,
  );
  const position = (result: Result) => {
    const index = order.indexOf(result.name);
    return index === -1 ? order.length : index;
  };
  return results.sort((a, b) => position(a) - position(b));
}

/**
 * One markdown table for every result, headed by the machines and dates
 * they came from (a partial run leaves older results in place).
 */
export function renderTable(results: Result[]): string {
  const sources = new Map<string, string[]>();
  for (const result of results) {
    const key = `${machineLine(result.machine)}`;
    const when = `${result.name} ${result.date.slice(0, 16)}Z`;
    sources.set(key, [...(sources.get(key) ?? []), when]);
  }
  const header = [...sources].map(
    ([machine, runs]) => `Machine: ${machine}. Runs: ${runs.join(", ")}.`,
  );
  const lines = ["| benchmark | figure | value |", "| --- | --- | --- |"];
  for (const result of results) {
    for (const [figure, value] of result.rows) {
      lines.push(`| ${result.title} | ${figure} | ${value} |`);
    }
  }
  return [...header, "", ...lines, ""].join("\n");
}

export function writeLatest(table: string): void {
  const text = [
    "# Benchmark results",
    "",
    "Written by `npm run bench`; method and raw figures are in the JSON",
    "file of each benchmark beside this one.",
    "",
    table,
  ].join("\n");
  writeFileSync(join(resultsDir, "latest.md"), text);
}
