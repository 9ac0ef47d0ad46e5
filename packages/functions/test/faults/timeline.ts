import { lateSlot } from "./schedule.js";

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a schedule's actions slot by slot. Actions of one slot start in
 * the order they were added and are not awaited, so they overlap each
 * other and later slots, as requests from many clients do. An action
 * added for a slot already reached starts at once.
 */
export class Timeline {
  private readonly planned = new Map<number, Array<() => Promise<unknown>>>();
  private readonly running: Array<Promise<unknown>> = [];
  private readonly waiting: Array<{ slot: number; wake: () => void }> = [];
  private reachedSlot = -1;
  readonly failures: unknown[] = [];

  constructor(
    private readonly gapsMs: number[],
    private readonly onSlot: (slot: number) => void,
  ) {}

  get slot(): number {
    return Math.max(this.reachedSlot, 0);
  }

  at(slot: number, action: () => Promise<unknown>): void {
    if (slot <= this.reachedSlot) return this.start(action);
    const list = this.planned.get(slot) ?? [];
    list.push(action);
    this.planned.set(slot, list);
  }

  /** Starts a long-lived action now, e.g. one user's Stripe life. */
  start(action: () => Promise<unknown>): void {
    this.running.push(action().catch((error) => this.failures.push(error)));
  }

  reached(slot: number): Promise<void> {
    if (slot <= this.reachedSlot) return Promise.resolve();
    return new Promise((wake) => this.waiting.push({ slot, wake }));
  }

  async run(): Promise<void> {
    for (let slot = 0; slot <= lateSlot; slot++) {
      this.reachedSlot = slot;
      this.onSlot(slot);
      for (const action of this.planned.get(slot) ?? []) this.start(action);
      for (const waiter of this.waiting.filter((w) => w.slot <= slot)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.wake();
      }
      await sleep(this.gapsMs[slot] ?? 0);
    }
  }

  /** Resolves once every action, including ones started late, is done. */
  async settled(): Promise<void> {
    let seen = -1;
    while (seen !== this.running.length) {
      seen = this.running.length;
      await Promise.all(this.running);
    }
  }
}
