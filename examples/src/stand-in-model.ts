import { type ScriptedReply, startScriptedOpenAI } from "@agentlightning/scripted-openai";

/** The parts of a chat request the stand-in reads. */
export interface StandInRequest {
  messages?: ReadonlyArray<{ role: string; content?: unknown }>;
  body?: Record<string, unknown>;
}

/**
 * The instructions the stand-in model reacts to, in the order its "critique" suggests them. Each
 * one the prompt contains fixes one kind of mistake, so a prompt improves step by step.
 */
export const STAND_IN_INSTRUCTIONS = [
  {
    /** Without it the stand-in wraps its answer in a sentence ("The answer is 42."). */
    instruction: "Reply with the number only.",
    trigger: /number only/i,
  },
  {
    /** Without it the stand-in estimates products to the nearest ten instead of computing them. */
    instruction: "Work the product out step by step before you answer.",
    trigger: /step by step/i,
  },
] as const;

/** What the banner of every example says when the stand-in is used. */
export const STAND_IN_NOTICE =
  "NOTE: using the example's built-in model STAND-IN (a deterministic script on 127.0.0.1, not a model). " +
  "Set OPENAI_BASE_URL and OPENAI_API_KEY (and OPENAI_MODEL) to use a real model.";

/** A running stand-in: an OpenAI-compatible server on loopback. */
export interface StandInModel {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  /** Chat completions served so far. */
  calls(): number;
  close(): Promise<void>;
}

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : ""))
      .join("");
  }
  return "";
}

/** The template quoted in a critique or rewrite request of APO (the part between two headings). */
function quotedTemplate(request: string): string {
  const match =
    /# (?:Current prompt template|Prompt template)\n\n([\s\S]*?)\n\n# /.exec(request) ??
    /## Prompt\n\n([\s\S]*?)\n\n## /.exec(request) ??
    /Prompt(?: template)?:\n\n([\s\S]*?)\n\n(?:Critique:|Run 1|$)/.exec(request);
  return match?.[1]?.trim() ?? "";
}

function missingInstruction(template: string): string | undefined {
  return STAND_IN_INSTRUCTIONS.find((i) => !i.trigger.test(template))?.instruction;
}

/**
 * How the stand-in answers: an arithmetic question is answered as a sloppy assistant would unless
 * the prompt says otherwise (see {@link STAND_IN_INSTRUCTIONS}); a critique request of APO gets the
 * first instruction the quoted template lacks; a rewrite request gets the template with that
 * instruction added in front. Exported so tests can call it directly.
 */
export function standInReply(request: StandInRequest): string | ScriptedReply {
  const messages = request.messages ?? [];
  const toolAnswer = calculatorStep(request);
  if (toolAnswer !== null) return toolAnswer;
  const system = messages.find((m) => m.role === "system");
  const all = messages.map((m) => text(m.content)).join("\n\n");
  const isRewrite =
    system !== undefined && /Revise the prompt template|conservative prompt edits/.test(text(system.content));
  if (isRewrite) {
    const template = quotedTemplate(all);
    const critique = /(?:# Critique|Critique:)\n\n([\s\S]*)$/.exec(all)?.[1] ?? "";
    const suggested = STAND_IN_INSTRUCTIONS.find((i) => critique.includes(i.instruction));
    if (!suggested || suggested.trigger.test(template)) return template;
    return `${suggested.instruction}\n${template}`;
  }
  if (/You optimize a prompt template|You are a prompt engineer|reviewing a prompt template/.test(all)) {
    const missing = missingInstruction(quotedTemplate(all));
    return missing ? `- Add the instruction "${missing}"` : "- The template looks complete.";
  }
  const question = /(\d+)\s*([+*x×])\s*(\d+)/.exec(all);
  if (!question) return "I can only do arithmetic (I am a stand-in, not a model).";
  const a = Number(question[1]);
  const b = Number(question[3]);
  const multiply = question[2] !== "+";
  let value = multiply ? a * b : a + b;
  if (multiply && !/step by step/i.test(all)) value = Math.round(value / 10) * 10;
  return /number only/i.test(all) ? String(value) : `The answer is ${value}.`;
}

/** Whether the request offers a function tool named `calculator`. */
function offersCalculator(body: Record<string, unknown> | undefined): boolean {
  const tools = Array.isArray(body?.tools) ? (body.tools as Array<{ function?: { name?: string } }>) : [];
  return tools.some((t) => t.function?.name === "calculator");
}

/**
 * With a `calculator` tool on offer the stand-in behaves like a tool-using model: first it calls
 * the tool with the question's operands, then it answers with the tool's result.
 */
function calculatorStep(request: StandInRequest): string | ScriptedReply | null {
  if (!offersCalculator(request.body)) return null;
  const messages = request.messages ?? [];
  const toolResult = [...messages].reverse().find((m) => m.role === "tool");
  if (toolResult) {
    const value = text(toolResult.content).replace(/[^0-9.-]/g, "");
    const prompt = messages.map((m) => text(m.content)).join("\n");
    return /number only/i.test(prompt) ? value : `The calculator says ${value}.`;
  }
  const question = /(\d+)\s*([+*x×])\s*(\d+)/.exec(messages.map((m) => text(m.content)).join("\n"));
  if (!question) return "I need a question with two numbers.";
  const operation = question[2] === "+" ? "add" : "multiply";
  return {
    content: "",
    toolCalls: [
      { name: "calculator", arguments: { a: Number(question[1]), b: Number(question[3]), operation } },
    ],
  };
}

/** Starts the stand-in on an ephemeral loopback port. */
export async function startStandInModel(): Promise<StandInModel> {
  const server = await startScriptedOpenAI({ model: "stand-in", reply: (req) => standInReply(req) });
  return {
    baseUrl: server.baseUrl,
    calls: () => server.requests.length,
    close: () => server.close(),
  };
}
