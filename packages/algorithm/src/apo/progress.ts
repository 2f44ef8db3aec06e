import type { PromptTemplate, RolloutMode } from "@agentlightning/types";

/** Why APO evaluated a candidate. */
export type ApoPhase = "initial-validation" | "gradient-batch" | "selection" | "leader-validation";

/** One evaluation of a candidate by real rollouts. */
export interface ApoEvaluation {
  /** 0 for the initial validation, then 1-based. */
  round: number;
  phase: ApoPhase;
  mode: RolloutMode;
  score: number;
  /** Rollouts finished (and counted) out of those enqueued. */
  finished: number;
  total: number;
  rolloutIds: string[];
}

/** A prompt version APO created, with everything it learnt about it. */
export interface ApoCandidate {
  /** `v0`, `v1`, ... in creation order; also the resources id its rollouts ran with. */
  version: string;
  prompt: PromptTemplate;
  /** The version it was rewritten from (null for the seed). */
  parentVersion: string | null;
  /** Round that created it (0 for the seed). */
  round: number;
  /** The critique its rewrite was based on (null for the seed). */
  critique: string | null;
  /** Score on the latest selection (validation batch), null before one. */
  score: number | null;
  /** Score on the whole validation dataset, when it was evaluated on it (latest). */
  validationScore: number | null;
  /** Every evaluation, in order. */
  evaluations: ApoEvaluation[];
}

/** A version and its score, as the beam holds it. */
export interface ApoBeamEntry {
  version: string;
  score: number | null;
}

/** What APO reports while it runs (see `onProgress`). */
export type ApoProgressEvent =
  | { type: "round-start"; round: number; rounds: number; beam: ApoBeamEntry[] }
  | {
      type: "evaluation";
      round: number;
      beam: number | null;
      branch: number | null;
      version: string;
      phase: ApoPhase;
      mode: RolloutMode;
      score: number;
      finished: number;
      total: number;
    }
  | {
      type: "candidate";
      round: number;
      beam: number;
      branch: number;
      version: string;
      parentVersion: string;
      template: string;
    }
  | { type: "selection"; round: number; beam: ApoBeamEntry[] }
  | {
      type: "best";
      round: number;
      version: string;
      score: number;
      improved: boolean;
      bestVersion: string;
      bestScore: number;
    }
  | { type: "done"; bestVersion: string; bestScore: number; initialScore: number | null; aborted: boolean };
