import { AglError, type Attributes, type SpanCoreFields } from "@agentlightning/types";
import { AGL_OPERATION, LightningSpanAttributes } from "../semconv.js";
import type { SpanRecordingContext } from "../tracer/tracer.js";
import { flattenAttributes, sanitizeAttributes } from "../utils/attributes.js";
import { emitterTracer, type PropagateOption } from "./emitter-tracer.js";

const INPUT = LightningSpanAttributes.OPERATION_INPUT;
const OUTPUT = LightningSpanAttributes.OPERATION_OUTPUT;
const NAME = LightningSpanAttributes.OPERATION_NAME;

/** Options of {@link operationScope} and {@link operation}. */
export interface OperationOptions extends PropagateOption {
  /** The operation's logical name: an alias of the `agentlightning.operation.name` attribute. */
  name?: string;
  /** Initial attributes of the span, flattened (`{user: {id: 5}}` → `user.id`; lists kept). */
  attributes?: Record<string, unknown>;
}

/** Options of the {@link operation} function wrapper. */
export interface OperationWrapperOptions extends OperationOptions {
  /**
   * Names of the function's parameters, in order: argument `i` is recorded under
   * `agentlightning.operation.input.<paramNames[i]>`. Without them (JavaScript cannot read them
   * reliably), arguments go to `…input.args.<i>`; arguments beyond the names too.
   */
  paramNames?: readonly string[];
}

/** A value JSON can carry as it is (no class instances, functions, BigInts...). */
function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) return value.every((item) => isPlainData(item, seen));
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.values(value).every((item) => isPlainData(item, seen));
    }
    default:
      return false;
  }
}

/**
 * A recorded input or output under `prefix`: plain data flattened below it (a scalar sits at the
 * prefix itself), anything else as the JSON text of its string form (Python's `str(value)` fallback).
 */
function recordedValue(prefix: string, value: unknown): Attributes {
  if (!isPlainData(value)) return { [prefix]: JSON.stringify(String(value)) };
  const flat = flattenAttributes(value);
  const out: Record<string, unknown> = {};
  for (const [key, leaf] of Object.entries(flat)) out[key === "" ? prefix : `${prefix}.${key}`] = leaf;
  return sanitizeAttributes(out);
}

function initialAttributes(options: OperationOptions, defaultName?: string): Attributes {
  const attributes = sanitizeAttributes(flattenAttributes(options.attributes ?? {}));
  if (options.name !== undefined) {
    if (NAME in attributes) {
      throw new AglError(
        "invalid_argument",
        `Cannot specify both name and the ${NAME} attribute of an operation; give one of them`,
      );
    }
    attributes[NAME] = options.name;
  } else if (defaultName !== undefined && !(NAME in attributes)) {
    attributes[NAME] = defaultName;
  }
  return attributes;
}

/**
 * The handle of an operation scope: records inputs and the output on the operation span, and
 * after the scope returns the recorded span.
 */
export class OperationContext {
  private recording: SpanRecordingContext | undefined;
  private recorded: SpanCoreFields | undefined;
  private readonly initial: Attributes;

  /**
   * @param name The span name ({@link operationScope} uses `agentlightning.operation`).
   * @param attributes Initial attributes, flattened.
   */
  constructor(
    readonly name: string,
    attributes: Record<string, unknown> = {},
    private readonly options: PropagateOption = {},
  ) {
    this.initial = sanitizeAttributes(flattenAttributes(attributes));
  }

  /** Runs `fn` inside the operation span (the span covers the call; an error marks it ERROR and propagates). */
  async run<T>(fn: (operation: OperationContext) => Promise<T> | T): Promise<T> {
    return OperationContext.runWith(this, this.initial, fn);
  }

  /** @internal Shared by scopes and wrappers: the span with the given initial attributes. */
  static async runWith<T>(
    operation: OperationContext,
    initial: Attributes,
    fn: (operation: OperationContext) => Promise<T> | T,
  ): Promise<T> {
    const tracer = emitterTracer(operation.options.propagate);
    let recording: SpanRecordingContext | undefined;
    try {
      return await tracer.operation(operation.name, initial, async (span) => {
        recording = span;
        operation.recording = span;
        try {
          return await fn(operation);
        } finally {
          operation.recording = undefined;
        }
      });
    } finally {
      if (recording !== undefined) operation.recorded = recording.getRecordedSpan();
    }
  }

  /**
   * Records positional inputs at `agentlightning.operation.input.args.<i>` (flattened).
   * @throws AglError `invalid_argument` outside the scope.
   */
  setInput(...args: unknown[]): void {
    const recording = this.active("setInput");
    args.forEach((arg, index) => {
      recording.recordAttributes(recordedValue(`${INPUT}.args.${index}`, arg));
    });
  }

  /**
   * Records keyword inputs at `agentlightning.operation.input.<key>` (flattened): Python's
   * `set_input(**kwargs)`.
   * @throws AglError `invalid_argument` outside the scope.
   */
  setInputKeywords(keywords: Record<string, unknown>): void {
    const recording = this.active("setInputKeywords");
    for (const [key, value] of Object.entries(keywords))
      recording.recordAttributes(recordedValue(`${INPUT}.${key}`, value));
  }

  /**
   * Records the output at `agentlightning.operation.output` (a scalar at that key, an object's
   * fields below it).
   * @throws AglError `invalid_argument` outside the scope.
   */
  setOutput(value: unknown): void {
    this.active("setOutput").recordAttributes(recordedValue(OUTPUT, value));
  }

  /**
   * The recorded span, once the scope ended.
   * @throws AglError `invalid_argument` while the scope is running or before it ran.
   */
  span(): SpanCoreFields {
    if (this.recorded === undefined) {
      throw new AglError(
        "invalid_argument",
        "The operation span is only available after the operation ended",
      );
    }
    return this.recorded;
  }

  private active(method: string): SpanRecordingContext {
    if (this.recording === undefined) {
      throw new AglError("invalid_argument", `${method}() must be called inside the operation scope`);
    }
    return this.recording;
  }
}

/**
 * Runs `fn` inside an operation span (`agentlightning.operation`) with the given initial
 * attributes; `fn` records inputs and output through the handle. Resolves with `fn`'s result; an
 * error marks the span ERROR (exception attributes, description = message) and propagates.
 *
 * @throws AglError `invalid_argument` when both `name` and the operation-name attribute are given.
 *
 * @example
 * ```ts
 * const answer = await operationScope({ name: "retrieve" }, async (op) => {
 *   op.setInputKeywords({ query });
 *   const docs = await search(query);
 *   op.setOutput(docs.length);
 *   return docs;
 * });
 * ```
 */
export async function operationScope<T>(
  options: OperationOptions,
  fn: (operation: OperationContext) => Promise<T> | T,
): Promise<T> {
  const initial = initialAttributes(options ?? {});
  const operation = new OperationContext(AGL_OPERATION, {}, { propagate: options?.propagate });
  return OperationContext.runWith(operation, initial, fn);
}

/**
 * Wraps a function so that every call is an operation span: `agentlightning.operation.name` =
 * the function's name (or `name`), arguments recorded under `agentlightning.operation.input.*`
 * (by `paramNames`, else `…input.args.<i>`), the return value under `…output`. The wrapper is
 * async (it resolves once the span ended); errors mark the span ERROR and propagate.
 *
 * @throws AglError `invalid_argument` when `fn` is not a function (e.g. a span name), or when
 *   both `name` and the operation-name attribute are given.
 *
 * @example
 * ```ts
 * const retrieve = operation(async (query: string) => search(query), { name: "retrieve", paramNames: ["query"] });
 * await retrieve("agent lightning");
 * ```
 */
export function operation<A extends unknown[], R>(
  fn: (...args: A) => R,
  options: OperationWrapperOptions = {},
): (...args: A) => Promise<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new AglError(
      "invalid_argument",
      `operation() wraps a function; got ${typeof fn}. Use operationScope({ name }, fn) to name a scope`,
    );
  }
  const initial = initialAttributes(options, fn.name === "" ? undefined : fn.name);
  const paramNames = options.paramNames ?? [];
  const wrapped = async function (this: unknown, ...args: A): Promise<Awaited<R>> {
    const operation = new OperationContext(AGL_OPERATION, {}, { propagate: options.propagate });
    return OperationContext.runWith<Awaited<R>>(operation, initial, async (op): Promise<Awaited<R>> => {
      const named: Record<string, unknown> = {};
      const extra: unknown[] = [];
      args.forEach((arg, index) => {
        const name = paramNames[index];
        if (name === undefined) extra.push(arg);
        else named[name] = arg;
      });
      op.setInputKeywords(named);
      if (extra.length > 0) op.setInput(...extra);
      const result: Awaited<R> = await fn.apply(this, args);
      op.setOutput(result);
      return result;
    });
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped;
}
