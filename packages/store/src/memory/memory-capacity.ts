import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";

/**
 * Memory the in-memory store can fill before the process dies: the smallest of V8's heap limit
 * (stored spans are V8 strings, so a Node process dies of "heap out of memory" at this limit,
 * whatever the machine has; about 4 GB by default on 64-bit), the memory of the machine, and the
 * process's cgroup limit when it has one. Reported as `memory_capacity_bytes` in the statistics.
 */
export function detectMemoryCapacityBytes(): number {
  const limits = [getHeapStatistics().heap_size_limit, totalmem()];
  // Node ≥ 19.6; a huge value means "no cgroup limit".
  const constrained = (process as { constrainedMemory?: () => number }).constrainedMemory?.();
  if (constrained !== undefined && constrained > 0 && constrained < Number.MAX_SAFE_INTEGER)
    limits.push(constrained);
  return Math.min(...limits.filter((limit) => Number.isFinite(limit) && limit > 0), Number.MAX_SAFE_INTEGER);
}
