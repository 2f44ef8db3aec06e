import { statfs } from "node:fs/promises";
import os from "node:os";
import type { JsonObject } from "@agentlightning/types";

const GB = 1024 ** 3;

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Busy and total CPU time summed over every core, to compute usage between two snapshots. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

let previousCpu = cpuTimes();

/**
 * The machine's state as a worker heartbeat carries it (runtime contract §7.7): `timestamp` (ISO,
 * seconds), `host`, `os`, `cpu_name`, `cpu_cores`, `cpu_threads`, `cpu_usage_pct` (since the
 * previous snapshot), `mem_used_gb`, `mem_total_gb`, `mem_pct`, `disk_used_gb`, `disk_total_gb`,
 * `disk_pct` (of the root file system), and with `includeGpu` a `gpus` list (empty: Node has no
 * portable GPU query). Network counters are left out (Node has no portable source). The store
 * treats the payload as opaque.
 */
export async function systemSnapshot(includeGpu = false): Promise<JsonObject> {
  const cpus = os.cpus();
  const now = cpuTimes();
  const busy = now.busy - previousCpu.busy;
  const total = now.total - previousCpu.total;
  previousCpu = now;
  const memTotal = os.totalmem();
  const memUsed = memTotal - os.freemem();
  const snapshot: JsonObject = {
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    host: os.hostname(),
    os: `${os.type()} ${os.release()}`,
    cpu_name: cpus[0]?.model ?? "unknown",
    cpu_cores: os.availableParallelism(),
    cpu_threads: cpus.length,
    cpu_usage_pct: total > 0 ? round((busy / total) * 100, 1) : 0,
    mem_used_gb: round(memUsed / GB),
    mem_total_gb: round(memTotal / GB),
    mem_pct: round((memUsed / memTotal) * 100, 1),
  };
  try {
    const fs = await statfs("/");
    const diskTotal = fs.blocks * fs.bsize;
    const diskUsed = diskTotal - fs.bfree * fs.bsize;
    snapshot.disk_used_gb = round(diskUsed / GB);
    snapshot.disk_total_gb = round(diskTotal / GB);
    snapshot.disk_pct = diskTotal > 0 ? round((diskUsed / diskTotal) * 100, 1) : 0;
  } catch {
    // No root file system to look at (a sandbox): the disk keys are left out.
  }
  if (includeGpu) snapshot.gpus = [];
  return snapshot;
}
