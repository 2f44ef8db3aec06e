import { AglError } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { parseStoreConfig, resolveStoreConfig, STORE_DEFAULTS } from "./config.js";
import { storeHelp } from "./help.js";
import { createJsonLogger } from "./logger.js";
import { STORE_OPTIONS, storeOptionEntries } from "./options.js";
import { openStore } from "./store-opener.js";

function expectInvalid(run: () => unknown, ...needles: string[]): void {
  try {
    run();
    expect.unreachable();
  } catch (e) {
    expect(AglError.isInstance(e)).toBe(true);
    expect((e as AglError).code).toBe("invalid_argument");
    for (const needle of needles) expect((e as AglError).message).toContain(needle);
  }
}

describe("agl store configuration", () => {
  it("uses the defaults of the spec with no flags and no env", () => {
    expect(parseStoreConfig([], {})).toEqual(STORE_DEFAULTS);
    expect(STORE_DEFAULTS).toMatchObject({
      host: "127.0.0.1",
      port: 4747,
      scanDebounceSeconds: 10,
      claimLeaseSeconds: 600,
      connectTimeoutSeconds: 10,
      logFormat: "auto",
      bodyLimitBytes: 32 * 1024 * 1024,
    });
  });

  it("reads every option's AGL_ environment variable (and DATABASE_URL)", () => {
    const config = parseStoreConfig([], {
      AGL_HOST: "0.0.0.0",
      AGL_PORT: "5000",
      DATABASE_URL: "postgres://u@h:5432/db",
      AGL_API_KEY: "k",
      AGL_STORE_SCAN_DEBOUNCE_SECONDS: "0",
      AGL_STORE_CLAIM_LEASE_SECONDS: "0",
      AGL_CORS_ORIGINS: "http://a, http://b",
      AGL_LEGACY: "true",
      AGL_LOG_LEVEL: "debug",
      AGL_LOG_FORMAT: "json",
      AGL_CONNECT_TIMEOUT_SECONDS: "2.5",
      AGL_BODY_LIMIT_MB: "1",
      AGL_SPAN_MEMORY_BUDGET_MB: "off",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 5000,
      databaseUrl: "postgres://u@h:5432/db",
      apiKey: "k",
      scanDebounceSeconds: 0,
      claimLeaseSeconds: 0,
      corsOrigins: ["http://a", "http://b"],
      legacy: true,
      logLevel: "debug",
      logFormat: "json",
      connectTimeoutSeconds: 2.5,
      bodyLimitBytes: 1024 * 1024,
      spanMemoryBudgetBytes: "off",
    });
  });

  it("ignores the plain HOST and PORT that shells and tools set for other purposes", () => {
    expect(parseStoreConfig([], { HOST: "0.0.0.0", PORT: "80" })).toMatchObject({
      host: "127.0.0.1",
      port: 4747,
    });
  });

  it("lets flags win over the environment", () => {
    const config = parseStoreConfig(
      [
        "--port",
        "6000",
        "--host",
        "::1",
        "--scan-debounce-seconds",
        "0.5",
        "--claim-lease-seconds",
        "120",
        "--cors-origin",
        "*",
        "--legacy",
      ],
      {
        AGL_PORT: "5000",
        AGL_HOST: "0.0.0.0",
        AGL_STORE_SCAN_DEBOUNCE_SECONDS: "3",
        AGL_STORE_CLAIM_LEASE_SECONDS: "30",
        AGL_CORS_ORIGINS: "http://a",
        AGL_LEGACY: "0",
      },
    );
    expect(config).toMatchObject({
      port: 6000,
      host: "::1",
      scanDebounceSeconds: 0.5,
      claimLeaseSeconds: 120,
      corsOrigins: ["*"],
      legacy: true,
    });
  });

  it.each([
    [["--port", "abc"], "--port"],
    [["--port", "70000"], "--port"],
    [["--scan-debounce-seconds", "-1"], "--scan-debounce-seconds"],
    [["--claim-lease-seconds", "-5"], "--claim-lease-seconds"],
    [["--backend", "redis"], "--backend"],
    [["--database-url", "mysql://x"], "--database-url"],
    [["--log-level", "loud"], "--log-level"],
    [["--log-format", "xml"], "--log-format"],
    [["--database-schema", "a;drop"], "--database-schema"],
    [["--connect-timeout-seconds", "0"], "--connect-timeout-seconds"],
    [["--span-memory-budget-mb", "0.5"], "--span-memory-budget-mb"],
    [["--nope"], "nope"],
    [["--api-key", ""], "--api-key must not be empty"],
    [["--data-dir", " "], "--data-dir must not be empty"],
    [["--backend", "memory", "--database-url", "postgres://h/db"], "--backend memory and --database-url"],
    [["--database-url", "postgres://h/db", "--data-dir", "d"], "--database-url and --data-dir"],
  ])("rejects %j naming %s", (argv, needle) => {
    expectInvalid(() => parseStoreConfig(argv, {}), needle);
  });

  it.each([
    [{ AGL_PORT: "x" }, "AGL_PORT"],
    [{ AGL_LEGACY: "maybe" }, "AGL_LEGACY"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
  ])("rejects the environment %j naming %s", (env, needle) => {
    expectInvalid(() => parseStoreConfig([], env), needle);
  });

  it("refuses an empty API key from the environment as from the flag (item 8)", () => {
    expectInvalid(() => parseStoreConfig([], { AGL_API_KEY: "" }), "AGL_API_KEY", "empty");
    expectInvalid(() => parseStoreConfig(["--api-key", ""], {}), "--api-key", "empty");
    // Other empty variables mean "unset", as shells and compose files produce them.
    expect(parseStoreConfig([], { DATABASE_URL: "", AGL_PORT: "" })).toEqual(STORE_DEFAULTS);
  });

  describe("which store: flags win, conflicts are reported", () => {
    const url = "postgres://u@h:5432/db";

    it("--data-dir wins over an inherited DATABASE_URL, and says so", () => {
      const { config, notices } = resolveStoreConfig(["--data-dir", "./data"], { DATABASE_URL: url });
      expect(config).toMatchObject({ backend: "postgres", databaseUrl: null, dataDir: "./data" });
      expect(notices).toEqual([
        expect.stringMatching(/using embedded PGlite \(--data-dir.*ignoring DATABASE_URL/),
      ]);
    });

    it("--backend memory wins over an inherited DATABASE_URL, and says so", () => {
      const { config, notices } = resolveStoreConfig(["--backend", "memory"], { DATABASE_URL: url });
      expect(config).toMatchObject({ backend: "memory", databaseUrl: null });
      expect(notices).toEqual([expect.stringMatching(/using the in-memory store.*ignoring DATABASE_URL/)]);
    });

    it("--database-url wins over AGL_BACKEND=memory and AGL_DATA_DIR", () => {
      const { config, notices } = resolveStoreConfig(["--database-url", url], {
        AGL_BACKEND: "memory",
        AGL_DATA_DIR: "d",
      });
      expect(config).toMatchObject({ backend: "postgres", databaseUrl: url });
      expect(notices).toHaveLength(2);
      expect(notices.join("\n")).toContain("ignoring AGL_BACKEND=memory");
      expect(notices.join("\n")).toContain("ignoring AGL_DATA_DIR");
    });

    it("between variables: DATABASE_URL over AGL_DATA_DIR, reported", () => {
      const { config, notices } = resolveStoreConfig([], { DATABASE_URL: url, AGL_DATA_DIR: "d" });
      expect(config.databaseUrl).toBe(url);
      expect(notices).toEqual([expect.stringContaining("ignoring AGL_DATA_DIR")]);
    });

    it("no conflict, no notice", () => {
      expect(resolveStoreConfig(["--database-url", url, "--backend", "postgres"], {}).notices).toEqual([]);
      expect(resolveStoreConfig([], {}).notices).toEqual([]);
    });
  });

  it("documents every option of the table, its variable and its default in --help", () => {
    const help = storeHelp();
    for (const [, spec] of storeOptionEntries()) {
      expect(help).toContain(`--${spec.flag}`);
      if (spec.env) expect(help).toContain(spec.env);
      expect(help).toContain(spec.defaultText);
    }
    expect(help).toContain("plain HOST and PORT");
    expect(Object.keys(STORE_OPTIONS).sort()).toEqual(Object.keys(STORE_DEFAULTS).sort());
  });

  it("gives every option a distinct flag and variable, and only AGL_ variables besides DATABASE_URL", () => {
    const specs = storeOptionEntries().map(([, spec]) => spec);
    expect(new Set(specs.map((s) => s.flag)).size).toBe(specs.length);
    const envs = specs.flatMap((s) => (s.env ? [s.env] : []));
    expect(new Set(envs).size).toBe(envs.length);
    for (const env of envs) expect(env === "DATABASE_URL" || env.startsWith("AGL_")).toBe(true);
  });

  it("gives the in-memory store the span memory budget: megabytes, off, or its own default", async () => {
    const statsOf = async (argv: string[]) => {
      const opened = await openStore(
        parseStoreConfig(["--backend", "memory", ...argv], {}),
        createJsonLogger("error", () => {}),
      );
      const stats = await opened.store.statistics();
      await opened.close();
      return stats;
    };
    expect((await statsOf(["--span-memory-budget-mb", "64"])).eviction_threshold_bytes).toBe(
      64 * 1024 * 1024,
    );
    expect((await statsOf(["--span-memory-budget-mb", "off"])).eviction_threshold_bytes).toBeNull();
    const auto = await statsOf([]);
    expect(auto.eviction_threshold_bytes).toBe(Math.floor((auto.memory_capacity_bytes as number) / 2));
  });
});
