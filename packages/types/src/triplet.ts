import * as z from "zod";
import { JsonObjectSchema, RequiredJsonSchema } from "./json.js";

/** One unit of training data: a prompt, the model's response, and its reward. */
export const TripletSchema = z.object({
  prompt: RequiredJsonSchema,
  response: RequiredJsonSchema,
  reward: z.number().nullable().default(null),
  metadata: JsonObjectSchema.default(() => ({})),
});
/** One unit of training data. */
export type Triplet = z.infer<typeof TripletSchema>;
