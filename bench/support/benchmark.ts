import type { BenchStack } from "./stack";

/** One line of the printed table: what was measured, and the figure. */
export type Row = [figure: string, value: string];

export type Outcome = {
  /** How it was measured, in a sentence or two; kept with the figures. */
  method: string;
  parameters: Record<string, unknown>;
  figures: Record<string, unknown>;
  rows: Row[];
};

export type Needs = "nothing" | "pipeline" | "site";

export type Context = {
  /** The shared offline stack; throws for a benchmark that needs none. */
  stack(): BenchStack;
};

export type Benchmark = {
  name: string;
  title: string;
  needs: Needs;
  run(context: Context): Promise<Outcome>;
};

export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
