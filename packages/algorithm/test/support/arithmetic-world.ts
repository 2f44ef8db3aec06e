import { rollout } from "@agentlightning/litagent";
import { type ScriptedRequest, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { getLlmBaseUrl } from "@agentlightning/types";

/**
 * A deterministic world for APO: the agent model answers "a + b" questions correctly (the bare
 * number) only when the prompt holds {@link INSTRUCTION}; the optimizer model's critique asks for
 * that instruction and its rewrite adds it. So a prompt's score depends on its text alone.
 */
export const INSTRUCTION = "Reply with the number only.";
export const SEED_TEMPLATE = "Question: {question}";
export const IMPROVED_TEMPLATE = `${INSTRUCTION}\n${SEED_TEMPLATE}`;

export interface ArithmeticTask {
  question: string;
  answer: string;
}

export function arithmeticTasks(count: number, offset = 0): ArithmeticTask[] {
  return Array.from({ length: count }, (_, i) => {
    const a = i + offset + 2;
    const b = 2 * i + offset + 3;
    return { question: `What is ${a} + ${b}?`, answer: String(a + b) };
  });
}

function isEditRequest(req: ScriptedRequest): boolean {
  const system = req.messages?.[0]?.role === "system" ? String(req.messages[0].content) : "";
  return system.includes("Revise the prompt template") || system.includes("conservative prompt edits");
}

function isCritiqueRequest(req: ScriptedRequest): boolean {
  const all = (req.messages ?? []).map((m) => String(m.content)).join("\n");
  return (
    all.startsWith("You optimize a prompt template.") ||
    all.includes("You are a prompt engineer") ||
    all.includes("expert prompt engineer reviewing")
  );
}

/** The agent model: right only when the prompt carries the instruction. */
export function agentModelAnswer(prompt: string): string {
  const match = /(\d+) \+ (\d+)/.exec(prompt);
  if (match === null) return "I cannot tell.";
  const sum = Number(match[1]) + Number(match[2]);
  return prompt.includes(INSTRUCTION) ? String(sum) : `Let me think. It is probably ${sum}, I believe.`;
}

/** Starts the scripted model server playing both the agent's model and the optimizer. */
export function startArithmeticModel() {
  return startScriptedOpenAI({
    reply: (req) => {
      if (isEditRequest(req)) return `\`\`\`\n${IMPROVED_TEMPLATE}\n\`\`\``;
      if (isCritiqueRequest(req))
        return `- The answers carry extra words. Add the instruction "${INSTRUCTION}"`;
      return agentModelAnswer(req.lastUserMessage ?? "");
    },
  });
}

/**
 * The agent (a real `LitAgent`): fills the prompt template of its resources, asks the model of
 * its `llm` resource, and returns reward 1 for the exact answer, else 0.
 */
export const arithmeticAgent = rollout<ArithmeticTask, Promise<number>>(
  async (task, ctx) => {
    const llm = ctx.llm;
    const response = await fetch(`${getLlmBaseUrl(llm)}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: llm.model,
        messages: [{ role: "user", content: ctx.promptTemplate.format({ question: task.question }) }],
      }),
    });
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    return body.choices[0]?.message.content.trim() === task.answer ? 1 : 0;
  },
  { name: "arithmetic" },
);
