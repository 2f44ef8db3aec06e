import {
  ATTEMPT_SORT_FIELDS,
  RESOURCES_SORT_FIELDS,
  ROLLOUT_SORT_FIELDS,
  SPAN_SORT_FIELDS,
  WORKER_SORT_FIELDS,
} from "@agentlightning/types";
import { type SortKind, sortKindOf } from "./query-engine.js";

/** Sortable fields of one item family and how each sorts. */
export interface SortFamily {
  allowed: readonly string[];
  kind(field: string): SortKind;
}

function family(
  allowed: readonly string[],
  numbers: readonly string[],
  unsortable: readonly string[],
): SortFamily {
  return { allowed, kind: (field) => sortKindOf(field, numbers, unsortable) };
}

/** Sort rules of rollouts. */
export const ROLLOUT_SORT = family(ROLLOUT_SORT_FIELDS, [], ["input", "config", "metadata"]);
/** Sort rules of attempts. */
export const ATTEMPT_SORT = family(ATTEMPT_SORT_FIELDS, ["sequence_id"], ["metadata"]);
/** Sort rules of resources snapshots. */
export const RESOURCES_SORT = family(RESOURCES_SORT_FIELDS, ["version"], ["resources"]);
/** Sort rules of workers. */
export const WORKER_SORT = family(WORKER_SORT_FIELDS, [], ["heartbeat_stats"]);
/** Sort rules of spans. */
export const SPAN_SORT = family(
  SPAN_SORT_FIELDS,
  ["sequence_id"],
  ["status", "attributes", "events", "links", "context", "parent", "resource"],
);
