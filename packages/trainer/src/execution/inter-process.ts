import { ValueError } from "../errors.js";
import { ExecutionStrategy } from "./strategy.js";

/** Options of {@link InterProcessExecutionStrategy}. */
export interface InterProcessExecutionStrategyOptions {
  nRunners?: number;
}

/** Placeholder. */
export class InterProcessExecutionStrategy extends ExecutionStrategy {
  static override readonly alias = "ipc";
  readonly nRunners: number = 1;
  constructor() {
    super();
    throw new ValueError("ipc is not implemented yet.");
  }
  async execute(): Promise<void> {}
}
