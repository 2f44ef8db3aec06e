import { AglError } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { VERL } from "./verl.js";

describe("VERL", () => {
  it("fails with unsupported, pointing at the external-trainer HTTP flow", () => {
    const error = (() => {
      try {
        new VERL({ trainer: { n_gpus_per_node: 1 } });
      } catch (e) {
        return e;
      }
    })();
    expect(AglError.isInstance(error) && error.code).toBe("unsupported");
    expect(String((error as Error).message)).toMatch(/runs in Python/);
    expect(String((error as Error).message)).toMatch(/Driving training from an external RL trainer/);
  });
});
