import type { ModelBackend } from "./model-list.js";

/**
 * How a request picks among the backends serving its model: `round-robin` rotates; `least-busy`
 * takes the one with the fewest requests in flight, rotating among equals.
 */
export type BalancingStrategy = "round-robin" | "least-busy";

/**
 * The backends of the model list grouped by model name, with the balancing state. A backend
 * that refused a connection is skipped for `cooldownMs` (unless every backend of the model is
 * down, then all are tried again).
 */
export class BackendPool {
  private readonly byModel = new Map<string, ModelBackend[]>();
  private readonly cursor = new Map<string, number>();

  constructor(
    backends: readonly ModelBackend[],
    private readonly strategy: BalancingStrategy,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const backend of backends) {
      const list = this.byModel.get(backend.modelName);
      if (list === undefined) this.byModel.set(backend.modelName, [backend]);
      else list.push(backend);
    }
  }

  /** The public model names, in first-appearance order. */
  modelNames(): string[] {
    return [...this.byModel.keys()];
  }

  /** True when the model list has this model name. */
  has(modelName: string): boolean {
    return this.byModel.has(modelName);
  }

  /**
   * The order in which to try the backends of `modelName` for one request: the chosen one first,
   * then the others (failover), backends in cooldown last.
   */
  candidates(modelName: string): ModelBackend[] {
    const list = this.byModel.get(modelName);
    if (list === undefined || list.length === 0) return [];
    if (list.length === 1) return list;
    const start = this.cursor.get(modelName) ?? 0;
    this.cursor.set(modelName, (start + 1) % list.length);
    const rotated = list.map((_, i) => list[(start + i) % list.length]!);
    const now = this.now();
    const up = rotated.filter((backend) => backend.downUntil <= now);
    const down = rotated.filter((backend) => backend.downUntil > now);
    if (this.strategy === "least-busy") {
      // Stable sort: equals keep their rotated order, so ties still rotate.
      up.sort((a, b) => a.inFlight - b.inFlight);
    }
    return [...up, ...down];
  }

  /** Marks a backend unreachable for the cooldown. */
  markDown(backend: ModelBackend): void {
    backend.downUntil = this.now() + this.cooldownMs;
  }

  /** Marks a backend reachable again. */
  markUp(backend: ModelBackend): void {
    backend.downUntil = 0;
  }
}
