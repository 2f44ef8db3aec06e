import {
  AddSpanRequestSchema,
  AttemptedRolloutSchema,
  AttemptSchema,
  EnqueueRolloutRequestSchema,
  OtelResourceSchema,
  ResourceSchema,
  ResourcesUpdateSchema,
  RolloutConfigSchema,
  RolloutOrAttemptedSchema,
  RolloutSchema,
  SpanContextSchema,
  SpanEventSchema,
  SpanLinkSchema,
  SpanSchema,
  StoreStatisticsSchema,
  TraceStatusSchema,
  WorkerSchema,
} from "@agentlightning/types";
import * as z from "zod";
import { type ApiRoute, pathParams, pathTemplate } from "./api-route.js";

// The OpenAPI 3.1 document of the store API, generated from the route table and the zod schemas
// of `@agentlightning/types` (zod 4's `z.toJSONSchema`), so it cannot drift from what is served.

/** An OpenAPI document (JSON). */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
};

/** What {@link buildOpenApiDocument} documents besides the route table. */
export interface OpenApiOptions {
  /** Endpoints of the JSON API, paths relative to `prefix`. */
  routes: readonly ApiRoute[];
  /** API prefix (`/v1/agl`). */
  prefix: string;
  /** Alias prefix serving the same routes (`/agl/v1`), mentioned in the description. */
  aliasPrefix: string;
  /** Whether the Prometheus endpoints are served. */
  metrics: boolean;
  /** Whether requests need `Authorization: Bearer <key>`. */
  auth: boolean;
  /** Version of the package serving the API. */
  version: string;
}

/** Response models named in `components.schemas` (output form: every field present). */
const OUTPUT_MODELS: [z.ZodType, string][] = [
  [RolloutConfigSchema, "RolloutConfig"],
  [RolloutSchema, "Rollout"],
  [AttemptSchema, "Attempt"],
  [AttemptedRolloutSchema, "AttemptedRollout"],
  [RolloutOrAttemptedSchema, "RolloutOrAttempted"],
  [WorkerSchema, "Worker"],
  [ResourceSchema, "Resource"],
  [ResourcesUpdateSchema, "ResourcesUpdate"],
  [TraceStatusSchema, "TraceStatus"],
  [SpanContextSchema, "SpanContext"],
  [SpanEventSchema, "SpanEvent"],
  [SpanLinkSchema, "SpanLink"],
  [OtelResourceSchema, "OtelResource"],
  [SpanSchema, "Span"],
  [StoreStatisticsSchema, "StoreStatistics"],
];

/** Request models named in `components.schemas` (input form: defaulted fields optional). */
const INPUT_MODELS: [z.ZodType, string][] = [
  [RolloutConfigSchema, "RolloutConfigInput"],
  [EnqueueRolloutRequestSchema, "EnqueueRolloutRequest"],
  [ResourceSchema, "ResourceInput"],
  [SpanSchema, "SpanInput"],
  [AddSpanRequestSchema, "AddSpanRequest"],
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const uri = (id: string) => `#/components/schemas/${id}`;

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Collects schemas under names, then renders them all with cross-references. */
class SchemaSet {
  private readonly registry = z.registry<{ id: string }>();
  private readonly names = new Map<z.ZodType, string>();

  constructor(
    private readonly io: "input" | "output",
    models: [z.ZodType, string][],
  ) {
    for (const [schema, name] of models) this.name(schema, name);
  }

  /** The component name of `schema`, registering it under `fallback` the first time. */
  name(schema: z.ZodType, fallback: string): string {
    const known = this.names.get(schema);
    if (known !== undefined) return known;
    this.registry.add(schema, { id: fallback });
    this.names.set(schema, fallback);
    return fallback;
  }

  render(): Record<string, unknown> {
    const { schemas } = z.toJSONSchema(this.registry, { io: this.io, uri, unrepresentable: "any" });
    const out: Record<string, unknown> = {};
    for (const [id, schema] of Object.entries(schemas)) {
      const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
      out[id] = rest;
    }
    return out;
  }
}

const ERROR_SCHEMAS = {
  ValidationErrorItem: {
    type: "object",
    description: "One validation failure (FastAPI/pydantic format).",
    properties: {
      type: { type: "string" },
      loc: { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
      msg: { type: "string" },
      input: {},
      ctx: { type: "object" },
    },
    required: ["type", "loc", "msg", "input"],
  },
  HTTPValidationError: {
    type: "object",
    properties: { detail: { type: "array", items: ref("ValidationErrorItem") } },
    required: ["detail"],
  },
  ErrorDetail: {
    type: "object",
    description: "A non-validation error. `error_type` is `ValueError` for not-found errors (404).",
    properties: { detail: { type: "string" }, error_type: { type: "string" } },
    required: ["detail"],
  },
};

const ERROR_RESPONSES: Record<number, Record<string, unknown>> = {
  400: {
    description: "Semantic check failed (bad sort_by, limit, offset, forbidden null)",
    error: "ErrorDetail",
  },
  401: { description: "Missing or wrong bearer token", error: "ErrorDetail" },
  404: { description: "Unknown rollout or attempt (`error_type: ValueError`)", error: "ErrorDetail" },
  410: {
    description: "Spans of the rollout were evicted (`error_type: RuntimeError`)",
    error: "ErrorDetail",
  },
  413: { description: "Request body too large", error: "ErrorDetail" },
  422: { description: "Schema validation failed", error: "HTTPValidationError" },
  500: { description: "Server fault (`detail: Internal server error`)", error: "ErrorDetail" },
};

function errorResponse(status: number): Record<string, unknown> {
  const { description, error } = ERROR_RESPONSES[status] as { description: string; error: string };
  return { description, content: { "application/json": { schema: ref(error) } } };
}

function queryParameters(schema: z.ZodObject): Record<string, unknown>[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const isList = property.type === "array" || JSON.stringify(property).includes('"type":"array"');
    return {
      name,
      in: "query",
      required: json.required?.includes(name) ?? false,
      ...(isList ? { style: "form", explode: true, description: "Repeat the key for several values." } : {}),
      schema: property,
    };
  });
}

/** A response whose schema is a generated wrapper (array or nullable of a model) to inline later. */
interface WrapperUse {
  media: { schema: unknown };
  name: string;
}

function operation(
  route: ApiRoute,
  inputs: SchemaSet,
  outputs: SchemaSet,
  auth: boolean,
  wrappers: WrapperUse[],
): Record<string, unknown> {
  const parameters = [
    ...pathParams(route.path).map((name) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    })),
    ...(route.query ? queryParameters(route.query) : []),
  ];
  const wrapperName = `${pascal(route.operationId)}Response`;
  const responseName = outputs.name(route.response, wrapperName);
  const media: { schema: unknown } = { schema: ref(responseName) };
  if (responseName === wrapperName) wrappers.push({ media, name: responseName });
  const responses: Record<string, unknown> = {
    [route.status]: {
      description: route.status === 201 ? "Created" : "OK",
      content: { "application/json": media },
    },
  };
  const errorStatuses = new Set<number>([...(route.errors ?? [])]);
  if (route.body || route.query) errorStatuses.add(422);
  if (route.body) errorStatuses.add(413);
  if (auth && route.operationId !== "health") errorStatuses.add(401);
  if (route.operationId !== "health") errorStatuses.add(500);
  for (const status of [...errorStatuses].sort()) responses[status] = errorResponse(status);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.bodyRequired ?? false,
            description: route.bodyRequired ? undefined : "Optional: may be omitted or `null`.",
            content: {
              "application/json": {
                schema: ref(inputs.name(route.body, `${pascal(route.operationId)}Body`)),
              },
            },
          },
        }
      : {}),
    responses,
    ...(auth && route.operationId === "health" ? { security: [] } : {}),
  };
}

function otherPaths(options: OpenApiOptions): Record<string, Record<string, unknown>> {
  const protobuf = (description: string) => ({
    description,
    content: {
      "application/x-protobuf": { schema: { type: "string", contentMediaType: "application/x-protobuf" } },
    },
  });
  const notImplemented = (signal: string) => ({
    post: {
      operationId: `otlp${pascal(signal)}`,
      summary: `OTLP ${signal} export (not supported)`,
      tags: ["otlp"],
      responses: { 501: { description: "Not implemented (empty body)" } },
    },
  });
  const paths: Record<string, Record<string, unknown>> = {
    "/v1/traces": {
      post: {
        operationId: "otlpTraces",
        summary: "OTLP/HTTP trace export (protobuf, optionally gzip)",
        description:
          "Spans name their rollout and attempt with the `agentlightning.rollout_id` / `agentlightning.attempt_id` attributes (span or resource). A request is stored completely or not at all.",
        tags: ["otlp"],
        requestBody: { required: false, ...protobuf("`ExportTraceServiceRequest`") },
        responses: {
          200: protobuf("Empty `ExportTraceServiceResponse`"),
          400: protobuf("`google.rpc.Status` naming the problem; nothing stored"),
          413: errorResponse(413),
        },
      },
    },
    "/v1/metrics": notImplemented("metrics"),
    "/v1/logs": notImplemented("logs"),
    "/v1/development/profiles": notImplemented("profiles"),
    [`${options.prefix}/openapi.json`]: {
      get: {
        operationId: "openapi",
        summary: "This document (public, also when the server has an API key)",
        tags: ["server"],
        security: [],
        responses: { 200: { description: "OpenAPI 3.1 document", content: { "application/json": {} } } },
      },
    },
    "/": {
      get: {
        operationId: "root",
        summary: "Redirects to the API reference page (public)",
        tags: ["server"],
        security: [],
        responses: { 302: { description: `Redirect to \`${options.prefix}/docs\`` } },
      },
    },
    [`${options.prefix}/docs`]: {
      get: {
        operationId: "docs",
        summary: "API reference page (HTML; public, also when the server has an API key)",
        tags: ["server"],
        security: [],
        responses: { 200: { description: "HTML page", content: { "text/html": {} } } },
      },
    },
  };
  if (options.metrics) {
    const scrape = (operationId: string) => ({
      get: {
        operationId,
        summary: "Prometheus metrics (text exposition format)",
        tags: ["server"],
        responses: { 200: { description: "Prometheus text", content: { "text/plain": {} } } },
      },
    });
    paths["/v1/prometheus/"] = scrape("prometheus");
    paths["/metrics"] = scrape("metrics");
  }
  return paths;
}

/**
 * Builds the OpenAPI 3.1 document of the store API from the route table: every endpoint with
 * its parameters, request body and response schemas (from the zod schemas), plus OTLP, metrics
 * and documentation endpoints.
 */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const inputs = new SchemaSet("input", INPUT_MODELS);
  const outputs = new SchemaSet("output", OUTPUT_MODELS);
  const paths: Record<string, Record<string, unknown>> = {};
  const wrappers: WrapperUse[] = [];
  for (const route of options.routes) {
    const path = `${options.prefix}${pathTemplate(route.path)}`;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(
      route,
      inputs,
      outputs,
      options.auth,
      wrappers,
    );
  }
  Object.assign(paths, otherPaths(options));
  const outputSchemas = outputs.render();
  // `Rollout[]` and `Attempt | null` read better inline than as one-off named components.
  for (const { media, name } of wrappers) {
    const schema = outputSchemas[name] as Record<string, unknown> | undefined;
    if (schema && (schema.type === "array" || Array.isArray(schema.anyOf))) {
      media.schema = schema;
      delete outputSchemas[name];
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Agent Lightning store API",
      version: options.version,
      description: `The LightningStore over HTTP (compatible with the Python v0.3.0 client). Every \`${options.prefix}/...\` route is also served under \`${options.aliasPrefix}/...\`.`,
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: { ...outputSchemas, ...inputs.render(), ...ERROR_SCHEMAS },
      ...(options.auth ? { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } } : {}),
    },
    ...(options.auth ? { security: [{ bearerAuth: [] }] } : {}),
  };
}
