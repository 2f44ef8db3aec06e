import { AsyncLocalStorage } from "node:async_hooks";
import type { Span } from "@agentlightning/types";

/** Where a tracer finds the spans of a trace that ended: per tracer, the finished scope's spans. */
export type LastTraceSlot = Map<object, () => Span[]>;

const slotStorage = new AsyncLocalStorage<LastTraceSlot>();

/**
 * Gives the caller's async context a fresh slot for the trace about to start (copying the entries
 * of the slot it had, so other tracers' last traces stay readable), and returns it.
 *
 * It must run synchronously inside the caller's call to `trace()`, before any `await`: the slot is
 * entered into the caller's current execution context (`AsyncLocalStorage.enterWith`), so the
 * caller's continuation after `await tracer.trace(...)` finds it, while a concurrent sibling
 * (another `trace()` started from the same function before this one resolved) captured its own
 * slot at its own `await`.
 */
export function enterLastTraceSlot(): LastTraceSlot {
  const previous = slotStorage.getStore();
  const slot: LastTraceSlot = previous ? new Map(previous) : new Map();
  slotStorage.enterWith(slot);
  return slot;
}

/** The slot of the current async context, if a `trace()` was started from it. */
export function currentLastTraceSlot(): LastTraceSlot | undefined {
  return slotStorage.getStore();
}
