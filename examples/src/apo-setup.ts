import { APO, type ApoProgressEvent, createChatClient } from "@agentlightning/algorithm";
import type { ExampleModel } from "./example-model.js";

/** Scores a finished APO run reports (also available as `apo.getBestScore()`, `apo.getHistory()`). */
export interface ApoOutcome {
  bestScore: number;
  initialScore: number | null;
  bestVersion: string;
}

function score(value: number): string {
  return value.toFixed(3);
}

/** One progress line per APO event worth showing: round, candidate, score. */
export function progressLine(event: ApoProgressEvent): string | null {
  switch (event.type) {
    case "round-start":
      return `round ${event.round}/${event.rounds}: beam ${event.beam.map((b) => `${b.version}=${b.score === null ? "?" : score(b.score)}`).join(" ")}`;
    case "candidate":
      return `  round ${event.round} candidate ${event.version} (from ${event.parentVersion}): ${JSON.stringify(event.template)}`;
    case "evaluation":
      if (event.phase === "gradient-batch") return null;
      return `  round ${event.round} ${event.phase} of ${event.version}: score ${score(event.score)} over ${event.finished}/${event.total} rollouts`;
    case "best":
      return `round ${event.round}: best so far ${event.bestVersion} = ${score(event.bestScore)}${event.improved ? " (improved)" : ""}`;
    default:
      return null;
  }
}

/**
 * The APO of the examples, small enough to finish in seconds against the stand-in: beam 2,
 * branch 2, 2 rounds, seeded. Its critique and rewrite calls go to `model` as well. `outcome`
 * is filled when the run ends.
 */
export function exampleApo(model: ExampleModel, print: (line: string) => void = console.log) {
  const outcome: ApoOutcome = { bestScore: Number.NEGATIVE_INFINITY, initialScore: null, bestVersion: "" };
  const apo = new APO({
    client: createChatClient({ baseUrl: model.baseUrl, apiKey: model.apiKey || null }),
    gradientModel: model.gradientModel,
    applyEditModel: model.applyEditModel,
    beamWidth: 2,
    branchFactor: 2,
    beamRounds: 2,
    gradientBatchSize: 3,
    valBatchSize: 6,
    seed: 7,
    waitChunkSeconds: 2,
    onProgress: (event) => {
      const line = progressLine(event);
      if (line) print(line);
      if (event.type === "done") {
        outcome.bestScore = event.bestScore;
        outcome.initialScore = event.initialScore;
        outcome.bestVersion = event.bestVersion;
      }
    },
  });
  return { apo, outcome };
}

/** The last line of the APO examples (their tests read it). */
export function bestScoreLine(outcome: ApoOutcome): string {
  return `best score: ${outcome.bestScore} (initial: ${outcome.initialScore ?? "n/a"})`;
}
