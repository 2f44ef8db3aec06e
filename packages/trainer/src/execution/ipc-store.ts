import type { LightningStore } from "@agentlightning/store";
import { AglError, type AglErrorCode, type Logger } from "@agentlightning/types";
import { type ChildHandle, type ControlMessage, isControlMessage } from "./processes.js";

/** The store methods a child may call over IPC: the `LightningStore` interface, nothing else. */
const STORE_METHODS = new Set([
  "startRollout",
  "enqueueRollout",
  "enqueueManyRollouts",
  "dequeueRollout",
  "dequeueManyRollouts",
  "startAttempt",
  "getRolloutById",
  "queryRollouts",
  "queryAttempts",
  "getLatestAttempt",
  "updateRollout",
  "updateAttempt",
  "addSpan",
  "addManySpans",
  "getNextSpanSequenceId",
  "getManySpanSequenceIds",
  "querySpans",
  "waitForRollouts",
  "addResources",
  "updateResources",
  "getResourcesById",
  "getLatestResources",
  "queryResources",
  "updateWorker",
  "getWorkerById",
  "queryWorkers",
  "statistics",
]);

/**
 * Serves `store` to a child over its IPC channel: answers each `call` message with the method's
 * result or its error (name, message, `AglError` code). Only methods of the store interface.
 */
export function serveStoreOverIpc(child: ChildHandle, store: LightningStore, logger: Logger): void {
  child.process.on("message", (message) => {
    if (!isControlMessage(message) || message.agl !== "call") return;
    const { id, method, args } = message;
    const reply = (answer: ControlMessage) => {
      if (!child.send(answer)) logger.debug(`[${child.name}] Gone before the answer to ${method}.`);
    };
    const fn = (store as unknown as Record<string, unknown>)[method];
    if (!STORE_METHODS.has(method) || typeof fn !== "function") {
      reply({
        agl: "result",
        id,
        ok: false,
        error: { name: "AglError", message: `Unknown store method: ${method}`, code: "invalid_argument" },
      });
      return;
    }
    Promise.resolve()
      .then(() => (fn as (...a: unknown[]) => unknown).apply(store, args))
      .then(
        (value) => reply({ agl: "result", id, ok: true, value }),
        (error: unknown) => {
          const e = error instanceof Error ? error : new Error(String(error));
          const code = AglError.isInstance(error) ? error.code : undefined;
          reply({
            agl: "result",
            id,
            ok: false,
            error: { name: e.name, message: e.message, ...(code ? { code } : {}) },
          });
        },
      );
  });
}

/**
 * In a child: a `LightningStore` whose every call goes to the parent over the IPC channel (no
 * port, no HTTP). When the channel closes, pending and later calls reject with `AglError`
 * `cancelled`, which a runner reads as "stop".
 */
export function ipcStoreClient(): LightningStore {
  const send = process.send?.bind(process);
  if (send === undefined)
    throw new Error("ipcStoreClient() needs an IPC channel to the parent (a forked process).");
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let closed = false;
  const closedError = () => new AglError("cancelled", "The parent process closed the IPC channel.");
  process.on("message", (message) => {
    if (!isControlMessage(message) || message.agl !== "result") return;
    const call = pending.get(message.id);
    if (call === undefined) return;
    pending.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else {
      const { code, message: text, name } = message.error;
      const error =
        code !== undefined
          ? new AglError(code as AglErrorCode, text)
          : Object.assign(new Error(text), { name });
      call.reject(error);
    }
  });
  process.on("disconnect", () => {
    closed = true;
    for (const call of pending.values()) call.reject(closedError());
    pending.clear();
  });
  const capabilities = { thread_safe: true, async_safe: true, zero_copy: false, otlp_traces: false };
  return new Proxy({} as LightningStore, {
    get(_target, property) {
      if (property === "capabilities") return capabilities;
      if (property === "then" || typeof property !== "string") return undefined;
      if (property === "close") return async () => {};
      return (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          if (closed || !process.connected) {
            reject(closedError());
            return;
          }
          const id = nextId++;
          pending.set(id, { resolve, reject });
          send(
            { agl: "call", id, method: property, args } satisfies ControlMessage,
            undefined,
            {},
            (error) => {
              if (error) {
                pending.delete(id);
                reject(closedError());
              }
            },
          );
        });
    },
  });
}
