import { ValueError } from "./errors.js";

/**
 * The environment variables the execution strategies read (`AGL_MANAGED_STORE`,
 * `AGL_CURRENT_ROLE`, `AGL_SERVER_HOST`, `AGL_SERVER_PORT`), parsed the way Python Agent Lightning
 * v0.3 parses them: an explicit value always wins, the variable comes next, then the fallback.
 * Read once, when a strategy is constructed.
 */

/** Values read as true (case-insensitive, trimmed). */
export const TRUTHY_VALUES = ["1", "true", "yes", "on"] as const;
/** Values read as false (case-insensitive, trimmed). */
export const FALSY_VALUES = ["0", "false", "no", "off"] as const;

/** The variables and what they mean. */
export const AglEnvVars = {
  /** Whether a strategy manages (wraps, serves and closes) the store. Default true. */
  MANAGED_STORE: "AGL_MANAGED_STORE",
  /** `algorithm`, `runner` or `both`: which side this process runs in the cs strategy. */
  CURRENT_ROLE: "AGL_CURRENT_ROLE",
  /** Host of the store server (cs strategy). Default `localhost`. */
  SERVER_HOST: "AGL_SERVER_HOST",
  /** Port of the store server (cs strategy). Default 4747. */
  SERVER_PORT: "AGL_SERVER_PORT",
  /** Debug logging of emitters. */
  EMITTER_DEBUG: "AGL_EMITTER_DEBUG",
} as const;

/** An environment to read from; `process.env` by default. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Thrown for a variable (or explicit value) that cannot be parsed; like Python's ValueError. */
export class EnvVarError extends ValueError {
  override name = "EnvVarError";
}

function lookup(env: EnvSource, name: string): string | undefined {
  const value = env[name];
  return value === undefined ? undefined : value;
}

/**
 * A boolean setting: `override` if given, else the variable (truthy `1,true,yes,on`, falsy
 * `0,false,no,off`, case-insensitive), else `fallback`.
 * @throws EnvVarError naming the variable and both value sets for anything else.
 */
export function resolveBoolEnvVar(
  name: string,
  override?: boolean | null,
  fallback?: boolean,
  env: EnvSource = process.env,
): boolean | undefined {
  if (override !== undefined && override !== null) return override;
  const raw = lookup(env, name);
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if ((TRUTHY_VALUES as readonly string[]).includes(value)) return true;
  if ((FALSY_VALUES as readonly string[]).includes(value)) return false;
  throw new EnvVarError(
    `${name} must be one of {${TRUTHY_VALUES.map((v) => `'${v}'`).join(", ")}} or {${FALSY_VALUES.map((v) => `'${v}'`).join(", ")}} (got '${raw}')`,
  );
}

/**
 * An integer setting: `override` if given, else the variable, else `fallback`.
 * @throws EnvVarError `"<NAME> must be an integer"` for a value that is not one.
 */
export function resolveIntEnvVar(
  name: string,
  override?: number | null,
  fallback?: number,
  env: EnvSource = process.env,
): number | undefined {
  if (override !== undefined && override !== null) return override;
  const raw = lookup(env, name);
  if (raw === undefined) return fallback;
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) throw new EnvVarError(`${name} must be an integer (got '${raw}')`);
  return Number.parseInt(text, 10);
}

/** A string setting: `override` if given, else the variable, else `fallback`. */
export function resolveStrEnvVar(
  name: string,
  override?: string | null,
  fallback?: string,
  env: EnvSource = process.env,
): string | undefined {
  if (override !== undefined && override !== null) return override;
  const raw = lookup(env, name);
  return raw === undefined ? fallback : raw;
}

/** Which side of a client-server run this process plays. */
export type ExecutionRole = "algorithm" | "runner" | "both";

/**
 * The role: `override`, else `AGL_CURRENT_ROLE`, else `both`; validated either way.
 * @throws EnvVarError `"role must be one of 'algorithm', 'runner', or 'both'"`.
 */
export function resolveRole(override?: string | null, env: EnvSource = process.env): ExecutionRole {
  const role = resolveStrEnvVar(AglEnvVars.CURRENT_ROLE, override, "both", env) ?? "both";
  if (role === "algorithm" || role === "runner" || role === "both") return role;
  throw new EnvVarError(`role must be one of 'algorithm', 'runner', or 'both' (got '${role}')`);
}
