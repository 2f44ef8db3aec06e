import { AglError } from "@agentlightning/types";
import { Algorithm } from "../algorithm.js";

const MESSAGE =
  "VERL (reinforcement learning) runs in Python and is not implemented in TypeScript. Run the Python VERL " +
  "trainer against this project's store instead: serve the store with LightningStoreServer (or `agl store`), " +
  "let the trainer publish a ProxyLLM resource, enqueue rollouts, wait for them and read their spans or " +
  "ready-made triplets over HTTP, while TypeScript runners do the rollouts. The steps are in the " +
  "@agentlightning/algorithm README, section 'Driving training from an external RL trainer'.";

/**
 * Placeholder for the Python `VERL` algorithm: constructing it throws an `unsupported` error that
 * points at the HTTP flow an external RL trainer drives (see the package README).
 */
export class VERL extends Algorithm<never> {
  constructor(_config?: unknown) {
    super();
    throw new AglError("unsupported", MESSAGE);
  }

  /** Never reached: the constructor throws. */
  async run(): Promise<never> {
    throw new AglError("unsupported", MESSAGE);
  }
}
