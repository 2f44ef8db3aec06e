import type { CallSettings, CreateFn } from "./openai-instrumentation.js";
import { originalChatCompletionsCreate, wrapChatCompletionsCreate } from "./openai-instrumentation.js";

/** The prototype holding `create` of the SDK's `Completions` class (`client.chat.completions`). */
interface CompletionsPrototype {
  create: CreateFn;
}

/**
 * What {@link acquireOpenAIPatch} accepts as "the openai SDK": the module namespace
 * (`import * as openai from "openai"`), its default export (the `OpenAI` class), or the
 * `Completions` class (`OpenAI.Chat.Completions`).
 */
export type OpenAIModuleLike = unknown;

function completionsPrototypeOf(sdk: OpenAIModuleLike): CompletionsPrototype | undefined {
  const candidates: unknown[] = [];
  const record = sdk as Record<string, unknown> | null | undefined;
  if (record !== null && record !== undefined) {
    candidates.push(record);
    for (const key of ["default", "OpenAI"]) {
      const inner = record[key] as Record<string, unknown> | undefined;
      if (inner !== undefined) candidates.push(inner);
    }
  }
  for (const candidate of candidates) {
    const c = candidate as {
      prototype?: Partial<CompletionsPrototype>;
      Chat?: { Completions?: { prototype?: Partial<CompletionsPrototype> } };
    };
    const fromChat = c.Chat?.Completions?.prototype;
    if (typeof fromChat?.create === "function") return fromChat as CompletionsPrototype;
    if (typeof c.prototype?.create === "function" && !("Chat" in (c as object))) {
      return c.prototype as CompletionsPrototype;
    }
  }
  return undefined;
}

interface Patch {
  prototype: CompletionsPrototype;
  holders: number;
}

// One patch per prototype (an ESM and a CJS copy of the SDK are two prototypes), shared by every
// InstrumentedTracer in the process and undone when the last one releases it.
const patches = new Map<CompletionsPrototype, Patch>();

/**
 * Patches `chat.completions.create` on the prototype of the SDK's `Completions` class, so that
 * calls through every client of that SDK copy are recorded while a tracer that answers
 * `resolveCall` is active. Reference-counted: returns a function that releases this hold; the
 * original method comes back when the last hold is released. Returns `undefined` when `sdk` is not
 * an openai SDK module.
 */
export function acquireOpenAIPatch(
  sdk: OpenAIModuleLike,
  resolveCall: () => CallSettings | undefined,
): (() => void) | undefined {
  const prototype = completionsPrototypeOf(sdk);
  if (prototype === undefined) return undefined;
  let patch = patches.get(prototype);
  if (patch === undefined) {
    patch = { prototype, holders: 0 };
    patches.set(prototype, patch);
    Object.defineProperty(prototype, "create", {
      value: wrapChatCompletionsCreate(originalChatCompletionsCreate(prototype.create), resolveCall),
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
  patch.holders += 1;
  let released = false;
  const held = patch;
  return () => {
    if (released) return;
    released = true;
    held.holders -= 1;
    if (held.holders > 0) return;
    patches.delete(held.prototype);
    Object.defineProperty(held.prototype, "create", {
      value: originalChatCompletionsCreate(held.prototype.create),
      configurable: true,
      writable: true,
      enumerable: false,
    });
  };
}

/** Loads the `openai` SDK (an optional peer dependency); `undefined` when it is not installed. */
export async function loadOpenAISdk(): Promise<OpenAIModuleLike | undefined> {
  try {
    const specifier = "openai";
    return await import(specifier);
  } catch {
    return undefined;
  }
}
