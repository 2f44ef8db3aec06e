import type { RolloutStatus, Span } from "@agentlightning/types";
import type { ChatMessage } from "./chat-client.js";

/** One finished rollout of a candidate, as the critique sees it. */
export interface ApoRolloutResult {
  rolloutId: string;
  status: RolloutStatus;
  /** Last reward of the rollout's spans, or null. */
  finalReward: number | null;
  /** Every span of the rollout (all attempts). */
  spans: Span[];
  /** The adapter's output (chat messages per LLM call, for `TraceToMessages`). */
  messages: unknown;
}

/** Caps the JSON of one experiment so that a long trace cannot overflow the optimizer's context. */
const MAX_DUMP_CHARS = 12_000;

function dump(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return text.length <= MAX_DUMP_CHARS ? text : `${text.slice(0, MAX_DUMP_CHARS)}\n... (truncated)`;
}

function reward(result: ApoRolloutResult): string {
  return result.finalReward === null ? "none" : String(result.finalReward);
}

/** Builds the critique request from the template and the sampled experiments. */
export type CritiqueBuilder = (template: string, experiments: readonly ApoRolloutResult[]) => ChatMessage[];

/** Builds the rewrite request from the template and the critique. */
export type EditBuilder = (template: string, critique: string) => ChatMessage[];

/** Critique 1: one user message, the chat transcript of each experiment. */
const critiqueTranscripts: CritiqueBuilder = (template, experiments) => {
  const sections = experiments.map(
    (e, i) =>
      `## Experiment ${i + 1}\n\nStatus: ${e.status}\nFinal reward: ${reward(e)}\n\nMessages:\n\`\`\`json\n${dump(e.messages)}\n\`\`\``,
  );
  return [
    {
      role: "user",
      content:
        "You optimize a prompt template. An agent fills the template's {placeholders} with each task and " +
        "runs it; a reward says how well the run went (higher is better).\n\n" +
        `# Current prompt template\n\n${template}\n\n` +
        `# Experiments\n\n${sections.join("\n\n")}\n\n` +
        "# Your task\n\nWrite a short bullet list of concrete, testable changes to the template (output format, " +
        "constraints, ordering of instructions, definitions) that would explain the failures above or raise the reward.",
    },
  ];
};

/** Critique 2: one user message, the raw spans of each run. */
const critiqueSpans: CritiqueBuilder = (template, experiments) => {
  const runs = experiments.map(
    (e, i) =>
      `### Run ${i + 1} (status ${e.status}, final reward ${reward(e)})\n\n` +
      e.spans.map((s) => `\`\`\`json\n${dump(s)}\n\`\`\``).join("\n"),
  );
  return [
    {
      role: "user",
      content:
        "You are a prompt engineer. Analyse where the prompt below failed to make the model follow the mechanism " +
        "the task needs, using the traces of sample runs.\n\n" +
        `## Prompt\n\n${template}\n\n## Sample runs\n\n${runs.join("\n\n")}\n\n` +
        '## Output format\n\nStart with "Critique:" and give 3 to 5 short bullets about missing constraints, ' +
        "instruction ordering or formatting.",
    },
  ];
};

/** Critique 3: a reviewer's checklist as the system message, the runs as the user message. */
const critiqueChecklist: CritiqueBuilder = (template, experiments) => [
  {
    role: "system",
    content:
      "You are an expert prompt engineer reviewing a prompt template. Check it for:\n" +
      "- structure: a missing goal, contradictions, circular dependencies, no stop condition;\n" +
      "- instruction quality: vague verbs, no priority between rules, mixed levels of abstraction, overlaps;\n" +
      "- control: limits on tool use, how to handle uncertainty, verbosity, progress feedback;\n" +
      "- input and output: defaults, an output schema, consistent formats, validation;\n" +
      "- scope and safety; efficiency and maintainability;\n" +
      "- how the prompt could be tested.\n" +
      "Answer concisely, in under 350 words, with the changes that matter most for the observed runs.",
  },
  {
    role: "user",
    content:
      `Prompt template:\n\n${template}\n\n` +
      experiments
        .map(
          (e, i) =>
            `Run ${i + 1}: status ${e.status}, final score ${reward(e)}\nMessages:\n\`\`\`json\n${dump(e.messages)}\n\`\`\``,
        )
        .join("\n\n"),
  },
];

/** Edit 1: restructure as the critique implies. */
const editRevise: EditBuilder = (template, critique) => [
  {
    role: "system",
    content:
      "Revise the prompt template using the critique. Rules: restructure it if the critique implies so; add any " +
      "output format or limits it asks for; state what to do first, then how; keep every {placeholder} exactly as " +
      "it is. Return only the new template, with no commentary and no headers.",
  },
  { role: "user", content: `# Prompt template\n\n${template}\n\n# Critique\n\n${critique}` },
];

/** Edit 2: a conservative fix of the single most important point. */
const editConservative: EditBuilder = (template, critique) => [
  {
    role: "system",
    content:
      "You make conservative prompt edits. Fix only the single most critical point of the critique, keep every " +
      "{placeholder} exactly as it is, and stay close to the original in tone, length and structure. Return only " +
      "the full revised prompt.",
  },
  { role: "user", content: `Prompt:\n\n${template}\n\nCritique:\n\n${critique}` },
];

/** The three critique ("textual gradient") variants APO picks from at random. */
export const CRITIQUE_BUILDERS: readonly CritiqueBuilder[] = [
  critiqueTranscripts,
  critiqueSpans,
  critiqueChecklist,
];

/** The two rewrite ("apply edit") variants APO picks from at random. */
export const EDIT_BUILDERS: readonly EditBuilder[] = [editRevise, editConservative];
