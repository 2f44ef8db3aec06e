import * as z from "zod";
import { JsonObjectSchema } from "./json.js";

/** An OpenAI-compatible model endpoint. */
export const LLMSchema = z.object({
  resource_type: z.literal("llm"),
  endpoint: z.string(),
  model: z.string(),
  api_key: z.string().nullable().default(null),
  sampling_parameters: JsonObjectSchema.default(() => ({})),
});
/** An OpenAI-compatible model endpoint. */
export type LLM = z.infer<typeof LLMSchema>;

/** A model endpoint behind the LLM proxy: its base URL is rewritten per rollout and attempt. */
export const ProxyLLMSchema = LLMSchema.extend({ resource_type: z.literal("proxy_llm") });
/** A model endpoint behind the LLM proxy. */
export type ProxyLLM = z.infer<typeof ProxyLLMSchema>;

/** Template engines a {@link PromptTemplate} may name. */
export const PromptTemplateEngineSchema = z.enum(["jinja", "f-string", "poml"]);
/** Template engines a prompt template may name. */
export type PromptTemplateEngine = z.infer<typeof PromptTemplateEngineSchema>;

/** A prompt with placeholders, tuned by algorithms such as APO. */
export const PromptTemplateSchema = z.object({
  resource_type: z.literal("prompt_template"),
  template: z.string(),
  engine: PromptTemplateEngineSchema,
});
/** A prompt with placeholders. */
export type PromptTemplate = z.infer<typeof PromptTemplateSchema>;

/** Any tunable resource, discriminated by `resource_type`. */
export const ResourceSchema = z.discriminatedUnion("resource_type", [
  LLMSchema,
  ProxyLLMSchema,
  PromptTemplateSchema,
]);
/** Any tunable resource, discriminated by `resource_type`. */
export type Resource = z.infer<typeof ResourceSchema>;
/** A resource as a caller may write it (optional fields may be left out). */
export type ResourceInput = z.input<typeof ResourceSchema>;

/** Resources by name; iteration order is insertion order. */
export const NamedResourcesSchema = z.record(z.string(), ResourceSchema);
/** Resources by name. */
export type NamedResources = z.infer<typeof NamedResourcesSchema>;
/** Resources by name, as a caller may write them. */
export type NamedResourcesInput = z.input<typeof NamedResourcesSchema>;

/** A stored, versioned snapshot of named resources. */
export const ResourcesUpdateSchema = z.object({
  resources_id: z.string(),
  create_time: z.number(),
  update_time: z.number(),
  version: z.int(),
  resources: NamedResourcesSchema,
});
/** A stored, versioned snapshot of named resources. */
export type ResourcesUpdate = z.infer<typeof ResourcesUpdateSchema>;
