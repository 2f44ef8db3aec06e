/**
 * @packageDocumentation
 * Wire models of Agent Lightning: zod schemas (the single source of truth for every HTTP boundary)
 * and the TypeScript types inferred from them. Field names are the Python ones (snake_case).
 */

export type {
  AttemptStatus,
  FilterLogic,
  RolloutMode,
  RolloutStatus,
  SortOrder,
  StatusCode,
  WorkerStatus,
} from "./enums.js";
export {
  AttemptStatusSchema,
  FINISHED_STATUSES,
  FilterLogicSchema,
  isFinishedStatus,
  isQueuingStatus,
  isRunningStatus,
  QUEUING_STATUSES,
  RolloutModeSchema,
  RolloutStatusSchema,
  RUNNING_STATUSES,
  SortOrderSchema,
  StatusCodeSchema,
  WorkerStatusSchema,
} from "./enums.js";
export type { AglErrorCode, AglErrorOptions } from "./errors.js";
export { AGL_ERROR_CODES, AglError } from "./errors.js";
export { formatWithSpec } from "./format-spec.js";
export {
  generateAttemptId,
  generateLegacyResourcesId,
  generateLegacyRolloutId,
  generateResourcesId,
  generateRolloutId,
  generateSpanId,
  generateTraceId,
  ID_PATTERNS,
  randomHex,
} from "./ids.js";
export type { JsonObject, JsonValue } from "./json.js";
export { JsonObjectSchema, RequiredJsonSchema } from "./json.js";
export type {
  GenericResponse,
  LegacyResourcesUpdate,
  RolloutLegacy,
  RolloutLegacyInput,
  Task,
  TaskIfAny,
} from "./legacy.js";
export {
  GenericResponseSchema,
  LegacyResourcesUpdateSchema,
  RolloutLegacySchema,
  TaskIfAnySchema,
  TaskSchema,
} from "./legacy.js";
export { getLlmBaseUrl, proxyLlmForRollout } from "./llm-endpoint.js";
export type { Logger } from "./logger.js";
export { silentLogger } from "./logger.js";
export type { PaginatedResult } from "./pagination.js";
export { paginatedResultSchema } from "./pagination.js";
export { formatFString, formatPromptTemplate } from "./prompt-template.js";
export { pyRepr, pyStr } from "./python-repr.js";
export type {
  LLM,
  NamedResources,
  NamedResourcesInput,
  PromptTemplate,
  PromptTemplateEngine,
  ProxyLLM,
  Resource,
  ResourceInput,
  ResourcesUpdate,
} from "./resources.js";
export {
  LLMSchema,
  NamedResourcesSchema,
  PromptTemplateEngineSchema,
  PromptTemplateSchema,
  ProxyLLMSchema,
  ResourceSchema,
  ResourcesUpdateSchema,
} from "./resources.js";
export type {
  Attempt,
  AttemptedRollout,
  EnqueueRolloutInput,
  EnqueueRolloutRequest,
  Rollout,
  RolloutConfig,
  RolloutOrAttempted,
  RolloutRequest,
} from "./rollout.js";
export {
  AttemptedRolloutSchema,
  AttemptSchema,
  defaultRolloutConfig,
  EnqueueRolloutRequestSchema,
  isAttemptedRollout,
  RolloutConfigSchema,
  RolloutOrAttemptedSchema,
  RolloutRequestSchema,
  RolloutSchema,
} from "./rollout.js";
export type { JsonProblem } from "./safe-json.js";
export {
  assertSafeJson,
  findJsonProblem,
  findTextProblem,
  jsonPathText,
  MAX_JSON_DEPTH,
} from "./safe-json.js";
export type {
  Attributes,
  AttributeValue,
  OtelResource,
  Span,
  SpanContext,
  SpanCoreFields,
  SpanEvent,
  SpanLink,
  TraceStatus,
} from "./span.js";
export {
  AttributesSchema,
  AttributeValueSchema,
  convertTimestamp,
  OtelResourceSchema,
  SpanContextSchema,
  SpanCoreFieldsSchema,
  SpanEventSchema,
  SpanLinkSchema,
  SpanSchema,
  TraceStateSchema,
  TraceStatusSchema,
} from "./span.js";
export type { AddSpanRequest, CompleteSpanOptions } from "./span-request.js";
export { AddSpanRequestSchema, completeSpanRequest } from "./span-request.js";
export type {
  DequeueBody,
  EnqueueRolloutsBody,
  NextSequenceIdBody,
  NextSequenceIdResponse,
  QueryAttemptsBody,
  QueryResourcesBody,
  QueryRolloutsBody,
  QuerySpansBody,
  QueryWorkersBody,
  StartAttemptBody,
  StoreStatistics,
  UpdateAttemptBody,
  UpdateRolloutBody,
  UpdateWorkerBody,
  WaitForRolloutsBody,
} from "./store-api.js";
export {
  ATTEMPT_SORT_FIELDS,
  DequeueBodySchema,
  EnqueueRolloutsBodySchema,
  HealthResponseSchema,
  NextSequenceIdBodySchema,
  NextSequenceIdResponseSchema,
  QueryAttemptsBodySchema,
  QueryResourcesBodySchema,
  QueryRolloutsBodySchema,
  QuerySpansBodySchema,
  QueryWorkersBodySchema,
  RESOURCES_SORT_FIELDS,
  ROLLOUT_SORT_FIELDS,
  SPAN_SORT_FIELDS,
  StartAttemptBodySchema,
  StoreStatisticsSchema,
  UpdateAttemptBodySchema,
  UpdateRolloutBodySchema,
  UpdateWorkerBodySchema,
  WaitForRolloutsBodySchema,
  WORKER_SORT_FIELDS,
} from "./store-api.js";
export type {
  RewardPoint,
  RewardPointsResponse,
  RolloutSummariesBody,
  RolloutSummariesResponse,
  RolloutSummary,
  TokenUsage,
} from "./store-insights.js";
export {
  DEFAULT_REWARD_POINTS_LIMIT,
  DEFAULT_SPAN_SEARCH_LIMIT,
  MAX_REWARD_POINTS_LIMIT,
  MAX_SPAN_SEARCH_LIMIT,
  MAX_SUMMARY_ROLLOUT_IDS,
  RewardPointSchema,
  RewardPointsResponseSchema,
  RolloutSummariesBodySchema,
  RolloutSummariesResponseSchema,
  RolloutSummarySchema,
  SpanSearchPageSchema,
  TokenUsageSchema,
} from "./store-insights.js";
export { nowSeconds } from "./time.js";
export type { Triplet } from "./triplet.js";
export { TripletSchema } from "./triplet.js";
export type { ValidationDetailItem, ValidationLocation } from "./validation.js";
export {
  echoInput,
  formatValidationError,
  issuePath,
  MAX_ECHOED_INPUT_CHARS,
  MAX_VALIDATION_DETAILS,
  parseOrThrow,
  parseStorable,
  toValidationDetail,
} from "./validation.js";
export type { Worker } from "./worker.js";
export { WorkerSchema } from "./worker.js";
