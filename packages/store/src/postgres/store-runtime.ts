import { createHash } from "node:crypto";
import { AglError, isFinishedStatus, nowSeconds, type RolloutStatus } from "@agentlightning/types";
import type { SQL } from "drizzle-orm";
import type { StoreSettings } from "../store.js";
import type { SqlExecutor, StoreDriver } from "./driver.js";
import { pgErrorCode, RETRYABLE_CODES, toAglError, UNIQUE_VIOLATION } from "./pg-errors.js";
import type { Row } from "./rows.js";
import { RolloutWaiters } from "./waiters.js";

// What every operation of the Postgres store shares: the driver, the clock, the completion
// channel, transactions with retries, and the hook that runs the watchdog before an operation.

const MAX_TX_RETRIES = 8;

/** Thrown inside a transaction when a generated id collided: the store retries with fresh ids. */
export class IdCollision extends Error {
  constructor() {
    super("generated id collided; retrying");
    this.name = "IdCollision";
  }
}

/** What an operation's transaction carries: the executor, its clock reading, and rollouts it finished. */
export interface TxContext {
  readonly tx: SqlExecutor;
  readonly now: number;
  /** NOTIFY channel of completions (other store processes LISTEN on it). */
  readonly channel: string;
  /** Rollouts that entered a finished status (NOTIFYed in the transaction), woken locally after commit. */
  readonly finished: Set<string>;
}

/** Options of {@link StoreRuntime.transact}. */
export interface TransactOptions {
  /** Clock reading of the operation (default: now). */
  now?: number;
  /** `fn` runs a single statement, atomic on its own: no BEGIN/COMMIT round trips. */
  oneStatement?: boolean;
  /** A unique violation can only be a generated id colliding (retried). */
  uniqueIsCollision?: boolean;
}

function notifyChannel(schema: string): string {
  const plain = `agl_finished_${schema}`;
  if (/^[a-z0-9_]+$/.test(schema) && plain.length <= 63) return plain;
  return `agl_finished_${createHash("sha1").update(schema).digest("hex").slice(0, 24)}`;
}

/** The shared state and plumbing of one open Postgres store. */
export class StoreRuntime {
  /** Clock in float seconds. */
  readonly now: () => number;
  /** NOTIFY channel of completions in this schema. */
  readonly channel: string;
  /** Local waits, woken after commits and by NOTIFY. */
  readonly waiters = new RolloutWaiters();
  /** Runs the (debounced) watchdog; set by the store once its watchdog exists. */
  scan: () => Promise<void> = async () => {};
  closed = false;

  constructor(
    readonly driver: StoreDriver,
    readonly schema: string,
    settings: StoreSettings,
  ) {
    this.now = settings.now ?? nowSeconds;
    this.channel = notifyChannel(schema);
  }

  /** Throws `unavailable` once the store is closed. */
  ensureOpen(): void {
    if (this.closed) throw new AglError("unavailable", "PostgresLightningStore is closed");
  }

  /**
   * Runs `fn` in a transaction, retried on deadlock/serialization failures and id collisions.
   * Rollouts the transaction finished were NOTIFYed inside it; local waits are woken after commit.
   */
  async transact<T>(fn: (ctx: TxContext) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    this.ensureOpen();
    const now = options.now ?? this.now();
    for (let attempt = 0; ; attempt++) {
      const finished = new Set<string>();
      try {
        const result = options.oneStatement
          ? await fn({ tx: this.driver, now, channel: this.channel, finished })
          : await this.driver.transaction((tx) => fn({ tx, now, channel: this.channel, finished }));
        if (finished.size > 0) this.waiters.wake(finished);
        return result;
      } catch (error) {
        const code = pgErrorCode(error) ?? "";
        const retry =
          error instanceof IdCollision ||
          RETRYABLE_CODES.has(code) ||
          (options.uniqueIsCollision === true && code === UNIQUE_VIOLATION);
        if (retry && attempt < MAX_TX_RETRIES) continue;
        throw toAglError(error);
      }
    }
  }

  /** Records in `ctx` that a rollout entered `status` (local waits wake after commit if finished). */
  noteStatus(ctx: TxContext, rolloutId: string, status: RolloutStatus | null): void {
    if (status !== null && isFinishedStatus(status)) ctx.finished.add(rolloutId);
  }

  /** Runs one statement outside a transaction. */
  async read(query: SQL): Promise<Row[]> {
    this.ensureOpen();
    try {
      return await this.driver.rows(query);
    } catch (error) {
      throw toAglError(error);
    }
  }

  /** An executor whose statements run outside a transaction, with errors mapped. */
  get db(): SqlExecutor {
    return { rows: async <T extends object>(query: SQL) => (await this.read(query)) as T[] };
  }
}
