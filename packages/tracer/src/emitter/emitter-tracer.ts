import { AglError, type Attributes } from "@agentlightning/types";
import { getActiveTracer } from "../context/active-tracer.js";
import { DummyTracer } from "../tracer/dummy-tracer.js";
import type { Tracer } from "../tracer/tracer.js";
import { flattenAttributes, sanitizeAttributes } from "../utils/attributes.js";

/** The option every emitter takes. */
export interface PropagateOption {
  /**
   * true (default): the span goes to the active tracer (the innermost `trace()` scope's, else the
   * one set with `setActiveTracer`) and from there to the store. false: nothing is recorded; the
   * emitter only returns the core fields it would have recorded (a fresh `DummyTracer` builds them).
   */
  propagate?: boolean;
}

/** Extra attributes of an emitter: nested objects are flattened to dotted keys. */
export interface ExtraAttributesOption {
  /** Merged into the span's attributes after flattening (leaf lists kept) and sanitising. */
  attributes?: Record<string, unknown>;
}

/**
 * The tracer an emitter hands its span to.
 * @throws AglError `not_found` when `propagate` is true and no tracer is active.
 */
export function emitterTracer(propagate: boolean | undefined): Tracer {
  if (propagate === false) return new DummyTracer();
  const tracer = getActiveTracer();
  if (tracer === null) {
    throw new AglError(
      "not_found",
      "No active tracer found: emit inside tracer.trace(...) (or after setActiveTracer), or pass { propagate: false }",
    );
  }
  return tracer;
}

/** An emitter's extra attributes, flattened (leaf lists kept) and sanitised. */
export function extraAttributes(attributes: Record<string, unknown> | undefined): Attributes {
  if (attributes === undefined) return {};
  return sanitizeAttributes(flattenAttributes(attributes));
}
