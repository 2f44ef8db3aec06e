import { issuePath } from "@agentlightning/types";
import * as z from "zod";

/**
 * The fields of a chat completion request the proxy relies on. Everything else (sampling
 * parameters, tools, vendor extensions) is forwarded untouched.
 */
export const ChatCompletionBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string().min(1) })).min(1),
  stream: z.boolean().nullish(),
  n: z.int().min(1).nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});
/** A chat completion request body as the proxy checks it. */
export type ChatCompletionBody = z.infer<typeof ChatCompletionBodySchema>;

const TokenIds = z.array(z.int());
/** The fields of a (legacy) text completion request the proxy relies on. */
export const CompletionBodySchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()), TokenIds, z.array(TokenIds)]),
  stream: z.boolean().nullish(),
});
/** A text completion request body as the proxy checks it. */
export type CompletionBody = z.infer<typeof CompletionBodySchema>;

/** An OpenAI-style error body: `{"error": {message, type, param, code}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Builds an OpenAI-style error body. */
export function openAIError(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** The outcome of checking a request body: the parsed body, or the 400 to answer. */
export type BodyCheck<T> = { ok: true; body: T } | { ok: false; error: OpenAIErrorBody };

/** Parses request text as JSON and checks it against `schema`; the error names the first bad field. */
export function checkBody<T>(text: string, schema: z.ZodType<T>): BodyCheck<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: openAIError(
        "The request body is not valid JSON.",
        "invalid_request_error",
        null,
        "invalid_json",
      ),
    };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return {
      ok: false,
      error: openAIError(
        "The request body must be a JSON object.",
        "invalid_request_error",
        null,
        "invalid_json",
      ),
    };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, body: parsed.data };
  const issue = parsed.error.issues[0]!;
  const param = issuePath(issue.path);
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : "";
  return {
    ok: false,
    error: openAIError(
      `Invalid field \`${param}\`: ${issue.message}${more}`,
      "invalid_request_error",
      param,
      "invalid_value",
    ),
  };
}
