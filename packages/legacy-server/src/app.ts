import {
  AglError,
  type AglErrorCode,
  type GenericResponse,
  type Logger,
  parseStorable,
  RolloutLegacySchema,
  silentLogger,
  type TaskIfAny,
  type ValidationDetailItem,
} from "@agentlightning/types";
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { legacyApiKeyAuth } from "./legacy-auth.js";
import { type LegacyTaskBackend, taskStoreBackend } from "./task-backend.js";
import { LegacyTaskStore } from "./task-store.js";

/**
 * Status of a rejected `POST /rollout` body. Upstream (FastAPI) answers 422; the seed contract of
 * the v0.1 protocol says 400. Clients treat every non-2xx alike, so this is the one place to switch.
 */
export const LEGACY_VALIDATION_ERROR_STATUS = 400 satisfies ContentfulStatusCode;

/** The default claim timeout of the legacy server, in seconds. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 300;

/** Options of {@link createLegacyApp}. */
export interface LegacyAppOptions {
  /**
   * The state to serve: the in-memory {@link LegacyTaskStore} of the v0.1 server, or any
   * {@link LegacyTaskBackend} (e.g. one over a `LightningStore`). A function is called on every
   * request: returning `null` makes the app answer as the Python server does before start-up (503
   * on resources and rollouts, no task).
   */
  store: LegacyTaskStore | LegacyTaskBackend | (() => LegacyTaskStore | LegacyTaskBackend | null);
  /**
   * For a {@link LegacyTaskStore}: a claimed task without a rollout for longer than this (strictly)
   * is requeued. Default 300. A {@link LegacyTaskBackend} applies its own rule.
   */
  taskTimeoutSeconds?: number;
  /**
   * When set, every legacy route requires this key, as the password (or user name) of HTTP Basic
   * authentication, which is what the Python client sends for an endpoint such as
   * `http://agl:<key>@host:port`, or as `Authorization: Bearer <key>`. Else 401.
   */
  apiKey?: string;
  /** Receives request-level logs. Silent by default. */
  logger?: Logger;
}

// The codes this API throws; anything else is a bug and answers 500.
const ERROR_STATUS: Partial<Record<AglErrorCode, ContentfulStatusCode>> = {
  invalid_argument: LEGACY_VALIDATION_ERROR_STATUS,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

const NOT_INITIALIZED = "Server not fully initialized.";

/**
 * The legacy v0.1 HTTP API as a Hono app, without listening: `GET /task`, `GET /resources/latest`,
 * `GET /resources/:resources_id`, `POST /rollout`. Error bodies are FastAPI-style `{"detail": ...}`.
 *
 * @example
 * ```ts
 * import { serve } from "@hono/node-server";
 * const store = new LegacyTaskStore();
 * serve({ fetch: createLegacyApp({ store }).fetch, port: 8000 });
 * store.addTask({ prompt: "hi" });
 * ```
 */
export function createLegacyApp(options: LegacyAppOptions): Hono {
  const { store } = options;
  const timeoutSeconds = options.taskTimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  const logger = options.logger ?? silentLogger;
  // One adapter per task store, so that a server restart (a new store) gets a new one.
  const adapters = new WeakMap<LegacyTaskStore, LegacyTaskBackend>();
  const asBackend = (current: LegacyTaskStore | LegacyTaskBackend): LegacyTaskBackend => {
    if (!(current instanceof LegacyTaskStore)) return current;
    let adapter = adapters.get(current);
    if (adapter === undefined) {
      adapter = taskStoreBackend(current, timeoutSeconds);
      adapters.set(current, adapter);
    }
    return adapter;
  };
  const getBackend = (): LegacyTaskBackend | null => {
    const current = typeof store === "function" ? store() : store;
    return current === null ? null : asBackend(current);
  };
  const requireBackend = (): LegacyTaskBackend => {
    const current = getBackend();
    if (current === null) throw new AglError("unavailable", NOT_INITIALIZED);
    return current;
  };

  const app = new Hono();
  if (options.apiKey !== undefined) app.use("*", legacyApiKeyAuth(options.apiKey));

  app.get("/task", async (c) => {
    const current = getBackend();
    const none: TaskIfAny = { is_available: false, task: null };
    if (current === null) return c.json(none);
    const task = await current.claimTask();
    if (task === null) return c.json(none);
    logger.debug(`Serving task ${task.rollout_id} (claim ${task.num_claims}).`);
    return c.json({ is_available: true, task } satisfies TaskIfAny);
  });

  // Registered before /resources/:resources_id so that "latest" never reads as an id.
  app.get("/resources/latest", async (c) => {
    const latest = await requireBackend().getLatestResources();
    if (latest === null) throw new AglError("not_found", "No resources have been set on the server.");
    return c.json(latest);
  });

  app.get("/resources/:resources_id", async (c) => {
    const resourcesId = c.req.param("resources_id");
    const bundle = await requireBackend().getResourcesById(resourcesId);
    if (bundle === null) throw new AglError("not_found", `Resource ID '${resourcesId}' not found.`);
    return c.json(bundle);
  });

  app.post("/rollout", async (c) => {
    const current = requireBackend();
    const rollout = parseStorable(RolloutLegacySchema, await readJsonBody(c), "rollout");
    await current.recordRollout(rollout);
    logger.info(`Received rollout ${rollout.rollout_id}.`);
    const response: GenericResponse = {
      status: "ok",
      message: `Rollout ${rollout.rollout_id} received and stored.`,
      data: null,
    };
    return c.json(response);
  });

  // Known paths with another method answer 405 like Starlette, instead of Hono's 404.
  for (const [path, allow] of [
    ["/task", "GET, HEAD"],
    ["/resources/latest", "GET, HEAD"],
    ["/resources/:resources_id", "GET, HEAD"],
    ["/rollout", "POST"],
  ] as const) {
    app.all(path, (c) => c.json({ detail: "Method Not Allowed" }, 405, { Allow: allow }));
  }

  app.notFound((c) => c.json({ detail: "Not Found" }, 404));

  app.onError((error, c) => {
    if (AglError.isInstance(error)) {
      const status = ERROR_STATUS[error.code] ?? 500;
      // Schema failures carry 422-style items; other refusals (the storage rule's
      // `{ path }`) answer with their message, which names the field and the problem.
      const detail =
        error.code === "invalid_argument" && Array.isArray(error.details) ? error.details : error.message;
      if (status === 500) logger.error(`Legacy API error: ${error.message}`);
      else logger.debug(`Legacy API answered ${status}: ${error.message}`);
      return c.json({ detail }, status);
    }
    logger.error("Unhandled error in the legacy API.", error);
    return c.json({ detail: "Internal Server Error" }, 500);
  });

  return app;
}

/** The request body as JSON; a missing or undecodable body is a validation error naming `body`. */
async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  const fail = (item: ValidationDetailItem, message: string): never => {
    throw new AglError("invalid_argument", message, { details: [item] });
  };
  if (text.trim() === "") {
    return fail(
      { type: "missing", loc: ["body"], msg: "Field required", input: null },
      "Invalid rollout: body: Field required",
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      { type: "json_invalid", loc: ["body"], msg: "JSON decode error", input: {}, ctx: { error: reason } },
      `Invalid rollout: body: JSON decode error (${reason})`,
    );
  }
}
