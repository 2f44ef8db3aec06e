import { describe, expect, it } from "vitest";
import {
  CliUsageError,
  cliEnvVar,
  cliFlag,
  lightningCli,
  lightningCliHelp,
  parseLightningCli,
} from "./lightning-cli.js";

class Trainer {
  static cliSchema = {
    nRunners: { type: "int", default: 1 },
    maxRollouts: { type: "int", optional: true },
    strategy: { type: "string", default: "cs" },
    debug: { type: "bool", default: false },
  } as const;
  constructor(readonly options: Record<string, unknown>) {}
}

class Apo {
  static cliSchema = {
    beam_width: { type: "int", default: 4 },
    temperature: { type: "float", optional: true },
    seeds: { type: "int", list: true, default: [] },
    model: { type: "string" },
  } as const;
  constructor(readonly options: Record<string, unknown>) {
    if (options.model === "bad") throw new Error("no such model");
  }
}

describe("lightningCli (orchestration §4.1)", () => {
  it("names flags and variables after the class and parameter", () => {
    expect(cliFlag("Trainer", "nRunners")).toBe("--trainer.n-runners");
    expect(cliFlag("APO", "beam_width")).toBe("--apo.beam-width");
    expect(cliEnvVar("Trainer", "nRunners")).toBe("AGL_TRAINER_N_RUNNERS");
  });

  it("builds each class with its own parameters; flags win over env, env over defaults", () => {
    const [trainer, apo] = lightningCli([Trainer, Apo], {
      argv: [
        "--trainer.n-runners",
        "4",
        "--apo.model=gpt",
        "--apo.seeds",
        "1",
        "2",
        "3",
        "--trainer.debug",
        "yes",
      ],
      env: { AGL_TRAINER_N_RUNNERS: "8", AGL_APO_BEAM_WIDTH: "2", AGL_APO_TEMPERATURE: "0.5" },
    });
    expect(trainer.options).toEqual({ nRunners: 4, maxRollouts: null, strategy: "cs", debug: true });
    expect(apo.options).toEqual({ beam_width: 2, temperature: 0.5, seeds: [1, 2, 3], model: "gpt" });
  });

  it("reads nullable keywords for optional parameters and Python's bool words", () => {
    const [trainer] = parseLightningCli([Trainer], {
      argv: ["--trainer.max-rollouts", "NULL", "--trainer.debug", "F"],
      env: {},
    });
    expect(trainer).toMatchObject({ maxRollouts: null, debug: false });
    expect(() => parseLightningCli([Trainer], { argv: ["--trainer.debug", "maybe"], env: {} })).toThrow(
      "argument --trainer.debug: invalid bool value: 'maybe'",
    );
    expect(() => parseLightningCli([Trainer], { argv: ["--trainer.debug", ""], env: {} })).toThrow(
      CliUsageError,
    );
    expect(() => parseLightningCli([Trainer], { argv: ["--trainer.max-rollouts", "many"], env: {} })).toThrow(
      "invalid int value: 'many'",
    );
  });

  it("refuses unknown flags and lists missing required options", () => {
    expect(() => parseLightningCli([Apo], { argv: [], env: {} })).toThrow(
      "the following arguments are required: --apo.model",
    );
    expect(() => parseLightningCli([Apo], { argv: ["--apo.model", "m", "--apo.beam"], env: {} })).toThrow(
      "unrecognized arguments: --apo.beam",
    );
  });

  it("reports a constructor failure with the class and its arguments", () => {
    expect(() => lightningCli([Apo], { argv: ["--apo.model", "bad"], env: {} })).toThrow(
      /^Error instantiating Apo with resolved args \{.*"model":"bad"\}\. Error: no such model$/,
    );
  });

  it("prints help with the inferred type, default and variable of each parameter", () => {
    const help = lightningCliHelp([Trainer, Apo]);
    expect(help).toContain("CLI configurator for application components.");
    expect(help).toContain("For Trainer: 'maxRollouts'. Inferred type: Optional[int].");
    expect(help).toContain("For Apo: 'seeds'. Inferred type: List[int].");
    expect(help).toContain("env AGL_APO_MODEL");
  });

  it("returns an empty array for no classes", () => {
    expect(lightningCli([], { argv: [], env: {} })).toEqual([]);
  });
});
