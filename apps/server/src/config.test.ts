import { AglError } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { parseStoreConfig, STORE_DEFAULTS } from "./config.js";
import { storeHelp } from "./help.js";

describe("agl store configuration", () => {
  it("uses the defaults of the spec with no flags and no env", () => {
    expect(parseStoreConfig([], {})).toEqual(STORE_DEFAULTS);
    expect(STORE_DEFAULTS.host).toBe("127.0.0.1");
    expect(STORE_DEFAULTS.port).toBe(4747);
    expect(STORE_DEFAULTS.scanDebounceSeconds).toBe(10);
  });

  it("reads the environment", () => {
    const config = parseStoreConfig([], {
      HOST: "0.0.0.0",
      PORT: "5000",
      DATABASE_URL: "postgres://u@h:5432/db",
      AGL_API_KEY: "k",
      AGL_STORE_SCAN_DEBOUNCE_SECONDS: "0",
      AGL_CORS_ORIGINS: "http://a, http://b",
      AGL_LEGACY: "true",
      AGL_LOG_LEVEL: "debug",
      AGL_DATA_DIR: "/tmp/x",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 5000,
      databaseUrl: "postgres://u@h:5432/db",
      apiKey: "k",
      scanDebounceSeconds: 0,
      corsOrigins: ["http://a", "http://b"],
      legacy: true,
      logLevel: "debug",
      dataDir: "/tmp/x",
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
        "--cors-origin",
        "*",
        "--backend",
        "memory",
      ],
      { PORT: "5000", HOST: "0.0.0.0", AGL_STORE_SCAN_DEBOUNCE_SECONDS: "3", AGL_CORS_ORIGINS: "http://a" },
    );
    expect(config).toMatchObject({
      port: 6000,
      host: "::1",
      scanDebounceSeconds: 0.5,
      corsOrigins: ["*"],
      backend: "memory",
    });
  });

  it.each([
    [["--port", "abc"], "port"],
    [["--port", "70000"], "port"],
    [["--scan-debounce-seconds", "-1"], "scan-debounce-seconds"],
    [["--backend", "redis"], "backend"],
    [["--database-url", "mysql://x"], "database-url"],
    [["--log-level", "loud"], "log-level"],
    [["--database-schema", "a;drop"], "database-schema"],
    [["--nope"], "nope"],
    [["--backend", "memory", "--database-url", "postgres://h/db"], "database-url"],
  ])("rejects %j naming %s", (argv, name) => {
    try {
      parseStoreConfig(argv, {});
      expect.unreachable();
    } catch (e) {
      expect(AglError.isInstance(e)).toBe(true);
      expect((e as AglError).code).toBe("invalid_argument");
      expect((e as AglError).message).toContain(name);
    }
  });

  it("documents every option and its environment variable in --help", () => {
    const help = storeHelp();
    for (const flag of [
      "--host",
      "--port",
      "--backend",
      "--database-url",
      "--data-dir",
      "--api-key",
      "--scan-debounce-seconds",
      "--cors-origin",
      "--legacy",
      "--legacy-task-timeout-seconds",
      "--log-level",
      "--body-limit-mb",
      "--database-schema",
    ]) {
      expect(help).toContain(flag);
    }
    for (const env of [
      "HOST",
      "PORT",
      "DATABASE_URL",
      "AGL_API_KEY",
      "AGL_STORE_SCAN_DEBOUNCE_SECONDS",
      "AGL_BACKEND",
    ]) {
      expect(help).toContain(env);
    }
  });
});
