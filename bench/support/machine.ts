import {
  availableParallelism,
  cpus,
  loadavg,
  release,
  totalmem,
} from "node:os";

export type Machine = {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** One-minute load average when the benchmark started. */
  loadAtStart: number;
};

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${release()}`,
    loadAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}

export function machineLine(machine: Machine): string {
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
    `Node ${machine.node}, ${machine.os}`
  );
}
