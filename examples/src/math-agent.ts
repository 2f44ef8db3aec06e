import { promptRollout } from "@agentlightning/litagent";
import type { PromptTemplate } from "@agentlightning/types";
import OpenAI from "openai";
import type { ExampleModel } from "./example-model.js";

/** One task: an arithmetic question and the exact answer expected. */
export interface MathTask {
  question: string;
  answer: string;
}

/** The prompt template APO starts from: it says nothing about the answer's form. */
export const SEED_PROMPT: PromptTemplate = {
  resource_type: "prompt_template",
  template: "Answer the question.\nQuestion: {question}",
  engine: "f-string",
};

function task(a: number, op: "+" | "*", b: number): MathTask {
  return { question: `What is ${a} ${op} ${b}?`, answer: String(op === "+" ? a + b : a * b) };
}

/** Training tasks (APO critiques runs on these). */
export const TRAIN_TASKS: MathTask[] = [
  task(12, "+", 7),
  task(7, "*", 8),
  task(31, "+", 44),
  task(13, "*", 3),
  task(9, "*", 7),
  task(58, "+", 17),
];

/** Validation tasks (APO scores candidates on these): half sums, half products. */
export const VAL_TASKS: MathTask[] = [
  task(23, "+", 19),
  task(6, "*", 7),
  task(40, "+", 2),
  task(12, "*", 12),
  task(8, "+", 77),
  task(11, "*", 13),
];

/**
 * The agent: fills the prompt template it is given with the question, asks the model once (the
 * `openai` SDK, so an `InstrumentedTracer` records the call) and earns reward 1 for the exact
 * answer, 0 otherwise. Its answers depend on the prompt: that is what APO optimises.
 */
export function mathAgent(model: ExampleModel) {
  const client = new OpenAI({ baseURL: model.baseUrl, apiKey: model.apiKey || "unused", maxRetries: 2 });
  return promptRollout(async (task: MathTask, ctx) => {
    const prompt = ctx.promptTemplate.format({ question: task.question });
    const reply = await client.chat.completions.create({
      model: model.model,
      messages: [{ role: "user", content: prompt }],
      temperature: 0,
    });
    const answer = reply.choices[0]?.message.content?.trim() ?? "";
    return answer === task.answer ? 1 : 0;
  });
}
