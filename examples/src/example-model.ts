import { STAND_IN_NOTICE, type StandInModel, startStandInModel } from "./stand-in-model.js";

/** Where the example's agent (and APO's optimizer) send their chat completions. */
export interface ExampleModel {
  baseUrl: string;
  apiKey: string;
  /** Model name for the agent's calls. */
  model: string;
  /** Model names for APO's critique and rewrite calls. */
  gradientModel: string;
  applyEditModel: string;
  /** True when this is the stand-in, not a real model. */
  standIn: boolean;
  /** One line for the banner: which model, where. */
  describe: string;
  /** Stops the stand-in this process started (a no-op otherwise). */
  close(): Promise<void>;
}

/**
 * Set by the process that started the stand-in, so that the runner processes a `cs` Trainer forks
 * (they re-execute the example's script) use the same stand-in instead of starting their own.
 */
export const STAND_IN_URL_VAR = "AGL_EXAMPLE_STAND_IN_URL";

/**
 * The model of the examples: the one `OPENAI_BASE_URL` / `OPENAI_API_KEY` name (`OPENAI_MODEL`,
 * default `gpt-4.1-mini`, for the agent; `APO_GRADIENT_MODEL` / `APO_EDIT_MODEL` for the
 * optimizer, default the same), else the deterministic stand-in on loopback (no network).
 */
export async function exampleModel(env: NodeJS.ProcessEnv = process.env): Promise<ExampleModel> {
  const realUrl = env.OPENAI_BASE_URL;
  if (realUrl) {
    const model = env.OPENAI_MODEL ?? "gpt-4.1-mini";
    return {
      baseUrl: realUrl,
      apiKey: env.OPENAI_API_KEY ?? "",
      model,
      gradientModel: env.APO_GRADIENT_MODEL ?? model,
      applyEditModel: env.APO_EDIT_MODEL ?? model,
      standIn: false,
      describe: `model ${model} at ${realUrl} (from OPENAI_BASE_URL)`,
      close: async () => {},
    };
  }
  let standIn: StandInModel | undefined;
  let baseUrl = env[STAND_IN_URL_VAR];
  if (!baseUrl) {
    standIn = await startStandInModel();
    baseUrl = standIn.baseUrl;
    env[STAND_IN_URL_VAR] = baseUrl;
  }
  return {
    baseUrl,
    apiKey: "stand-in",
    model: "stand-in",
    gradientModel: "stand-in",
    applyEditModel: "stand-in",
    standIn: true,
    describe: `${STAND_IN_NOTICE}\nstand-in at ${baseUrl}`,
    close: async () => {
      await standIn?.close();
    },
  };
}
