import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Logger, silentLogger } from "@agentlightning/types";
import { createAdaptorServer } from "@hono/node-server";
import type { LightningStore } from "../store.js";
import { createStoreApp } from "./app.js";

/** Default port of the store server (as upstream). */
export const DEFAULT_STORE_PORT = 4747;

/** Options of {@link LightningStoreServer}. */
export interface LightningStoreServerOptions {
  /** The store to serve. The server never closes it. */
  store: LightningStore;
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to accept remote clients. */
  host?: string;
  /** Port to bind. Default 4747; 0 picks a free port (read it from {@link LightningStoreServer.port}). */
  port?: number;
  /** Require `Authorization: Bearer <apiKey>` on every route except health. */
  apiKey?: string;
  /** Receives request-level logs. Silent by default. */
  logger?: Logger;
  /** Largest request body accepted, in bytes. Default 32 MiB. */
  bodyLimitBytes?: number;
  /** CORS origins (`"*"` for any). Default: none. */
  corsOrigins?: readonly string[];
  /** Serve Prometheus metrics. Default true. */
  metrics?: boolean;
  /**
   * Other apps served beside the store API on the same port (e.g. the legacy task API): a request
   * whose path `matches` goes to that app's `fetch`, everything else to the store app.
   */
  extraApps?: readonly ExtraApp[];
}

/** An app served beside the store API by {@link LightningStoreServer}. */
export interface ExtraApp {
  /** True for the requests this app answers, by path (and, when that is not enough, the request itself). */
  matches(path: string, request: Request): boolean;
  /** Answers a request (a Hono app's `fetch`). */
  fetch(request: Request): Response | Promise<Response>;
}

/** Options of {@link LightningStoreServer.stop}. */
export interface LightningStoreServerStopOptions {
  /** After this many milliseconds, connections still open are cut. Default 10 000. */
  graceMs?: number;
}

/**
 * Serves a {@link LightningStore} over HTTP (the app of {@link createStoreApp}) on a Node server.
 *
 * @example
 * ```ts
 * const server = new LightningStoreServer({ store: new InMemoryLightningStore(), port: 0 });
 * await server.start();
 * console.log(`store at ${server.url}`);
 * // ...
 * await server.stop();
 * ```
 */
export class LightningStoreServer {
  private readonly options: LightningStoreServerOptions;
  private readonly logger: Logger;
  private server: Server | undefined;
  private shutdown: AbortController | undefined;
  private boundPort: number | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: LightningStoreServerOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
  }

  /** The bound host. */
  get host(): string {
    return this.options.host ?? "127.0.0.1";
  }

  /** The bound port (the real one when started with port 0). Throws before {@link start}. */
  get port(): number {
    if (this.boundPort === undefined) throw new Error("LightningStoreServer is not started.");
    return this.boundPort;
  }

  /** Base URL clients use (`http://127.0.0.1:4747`); a wildcard host is given as loopback. */
  get url(): string {
    const host = this.host === "0.0.0.0" ? "127.0.0.1" : this.host === "::" ? "::1" : this.host;
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
  }

  /** True between a successful {@link start} and {@link stop}. */
  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Binds and starts serving; resolves once listening, rejects if the port is taken (EADDRINUSE). */
  async start(): Promise<void> {
    if (this.server !== undefined) throw new Error("LightningStoreServer is already started.");
    const shutdown = new AbortController();
    const app = createStoreApp({
      store: this.options.store,
      apiKey: this.options.apiKey,
      logger: this.logger,
      bodyLimitBytes: this.options.bodyLimitBytes,
      corsOrigins: this.options.corsOrigins,
      metrics: this.options.metrics,
      signal: shutdown.signal,
    });
    const extraApps = this.options.extraApps ?? [];
    const fetch =
      extraApps.length === 0
        ? app.fetch
        : (request: Request) => {
            const path = new URL(request.url).pathname;
            return (extraApps.find((extra) => extra.matches(path, request)) ?? app).fetch(request);
          };
    const server = createAdaptorServer({ fetch }) as Server;
    // Upstream keeps idle connections for 30 s; clients reuse them between polls.
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off("listening", onListening);
        reject(error);
      };
      const onListening = () => {
        server.off("error", onError);
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(this.options.port ?? DEFAULT_STORE_PORT, this.host);
    });
    server.on("error", (error) => this.logger.error("Store server error.", error));
    // While stopping, a keep-alive connection whose last request just finished is closed at once
    // (server.close() alone would wait for its idle timeout).
    server.on("request", (_request, response) => {
      response.once("finish", () => {
        if (this.stopping !== undefined) setImmediate(() => server.closeIdleConnections());
      });
    });
    this.server = server;
    this.shutdown = shutdown;
    this.boundPort = (server.address() as AddressInfo).port;
    this.stopping = undefined;
    this.logger.info(`Lightning store server listening on ${this.url}.`);
  }

  /**
   * Stops gracefully: no new connections, pending waits end early (answering what is finished),
   * in-flight requests finish, idle keep-alive connections close; after `graceMs` the rest are
   * cut. Safe to call twice. The store stays open.
   */
  async stop(options: LightningStoreServerStopOptions = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    const server = this.server;
    if (server === undefined) return;
    this.stopping = new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 10_000);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.shutdown?.abort();
      server.closeIdleConnections();
    }).then(() => {
      this.server = undefined;
      this.shutdown = undefined;
      this.logger.info("Lightning store server stopped.");
    });
    return this.stopping;
  }
}
