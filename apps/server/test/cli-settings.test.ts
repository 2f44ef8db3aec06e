import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AglProcess, runAgl, startAglStore } from "./cli-process.js";

// The CLI's settings and start-up checks, each through the real `agl` process.

const running: AglProcess[] = [];
const dirs: string[] = [];
const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
  for (const server of servers) server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[], env: Record<string, string> = {}, anyPort = true): Promise<AglProcess> {
  const p = await startAglStore(args, env, { anyPort });
  running.push(p);
  return p;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agl-settings-test-"));
  dirs.push(dir);
  return dir;
}

/** A TCP server on a loopback port; `onConnection` decides what it does with each connection. */
async function tcpServer(onConnection: (socket: Socket) => void = () => {}): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("agl store settings", () => {
  it("refuses an empty API key, from the flag or from AGL_API_KEY=, with exit code 2 (item 8)", async () => {
    const flag = await runAgl(["store", "--backend", "memory", "--api-key", ""]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--api-key must not be empty");
    const env = await runAgl(["store", "--backend", "memory"], { AGL_API_KEY: "" });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("AGL_API_KEY is set but empty");
  });

  it("reads AGL_HOST/AGL_PORT and ignores an inherited HOST/PORT (item 16)", async () => {
    // HOST names an address this machine does not have: read, it would make the start fail.
    const p = await start(["--backend", "memory"], { HOST: "192.0.2.1", PORT: "1", AGL_PORT: "0" }, false);
    expect(new URL(p.url).hostname).toBe("127.0.0.1");
    expect(await p.stop()).toBe(0);
    const viaAgl = await start(["--backend", "memory"], { AGL_HOST: "localhost", AGL_PORT: "0" }, false);
    expect(new URL(viaAgl.url).hostname).toBe("localhost");
    expect(await viaAgl.stop()).toBe(0);
    const help = await runAgl(["store", "--help"]);
    for (const env of ["AGL_HOST", "AGL_PORT", "DATABASE_URL", "AGL_API_KEY", "AGL_LOG_FORMAT"]) {
      expect(help.stdout).toContain(env);
    }
  });

  it("lets --data-dir win over an inherited DATABASE_URL and logs which one it uses (item 21)", async () => {
    const dataDir = tempDir();
    // Unreachable on purpose: if the variable won, the start would fail.
    const p = await start(["--data-dir", dataDir], { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
    const notice = p.logs.find((l) => l.level === "warn" && String(l.msg).includes("ignoring DATABASE_URL"));
    expect(notice?.msg).toContain("using embedded PGlite (--data-dir");
    expect(p.logs.find((l) => l.msg === "agl store ready")?.store).toContain(dataDir);
    expect(await p.stop()).toBe(0);
  }, 120_000);

  it("checks the port before opening the embedded database and says what to do (item 13)", async () => {
    const port = await tcpServer();
    const dataDir = tempDir();
    const result = await runAgl(["store", "--data-dir", dataDir, "--port", String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain("--port");
    // The database was never opened.
    expect(existsSync(join(dataDir, "pglite"))).toBe(false);
  });

  it("names the database it connects to (without the password) and gives up on one that never answers (item 15)", async () => {
    const sockets: Socket[] = [];
    const port = await tcpServer((socket) => sockets.push(socket)); // accepts, never answers
    const url = `postgres://agl:s3cret-pass@127.0.0.1:${port}/store`;
    const result = await runAgl(["store", "--database-url", url, "--connect-timeout-seconds", "1"]);
    for (const socket of sockets) socket.destroy();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("connecting to PostgreSQL");
    expect(result.stderr).toContain(`postgres://agl:***@127.0.0.1:${port}/store`);
    expect(result.stderr).toContain("did not answer within 1 s");
    expect(result.stderr).not.toContain("s3cret-pass");
    expect(sockets.length).toBeGreaterThan(0);
  }, 60_000);

  it("writes readable lines with --log-format pretty and JSON when piped (item 18)", async () => {
    const pretty = await start(["--backend", "memory", "--log-format", "pretty"]);
    expect(await pretty.stop()).toBe(0);
    const lines = pretty.output().trim().split("\n");
    expect(
      lines.some((l) =>
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}agl store ready url=http:\/\/127\.0\.0\.1:\d+ /.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith("{"))).toBe(false);
    // Piped, the default (auto) is JSON, one object a line.
    const piped = await start(["--backend", "memory"]);
    expect(await piped.stop()).toBe(0);
    for (const line of piped.output().trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });
});
