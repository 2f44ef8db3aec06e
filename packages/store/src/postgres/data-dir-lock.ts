import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AglError } from "@agentlightning/types";

// A PGlite data folder must never be open in two processes (the second would corrupt it). A pid
// file cannot say whether its writer is still alive: after a crash the pid may belong to another
// process. The lock here is a socket the holder listens on: the operating system closes it the
// moment the holder dies, however it dies, and a live holder always accepts a connection (the
// kernel queues it even when the holder is busy or stopped). On Windows it is a named pipe, which
// disappears with its process; elsewhere a Unix socket file in the data folder, which a dead
// holder leaves behind: a connection to it is refused, so it is known stale and replaced, under a
// short-lived take-over directory so two starting processes never both replace it.

/** Name of the lock socket inside the data folder. */
export const DATA_DIR_LOCK_NAME = ".agl-lock.sock";
// Longest Unix socket path every platform accepts (sun_path is 104 bytes on macOS, 108 on Linux);
// Node silently truncates longer ones.
const MAX_SOCKET_PATH_BYTES = 103;
// A take-over directory older than this was left by a process that died while taking over.
const TAKEOVER_STALE_MS = 10_000;

/** A held data-folder lock. */
export interface DataDirLock {
  /** Where the lock lives (a socket path or a pipe name). */
  readonly address: string;
  /** Gives the lock up (idempotent). */
  release(): Promise<void>;
}

function lockAddress(dataDir: string, inFolderAllowed = true): string {
  const real = realpathSync(dataDir);
  const hash = createHash("sha256").update(real).digest("hex").slice(0, 32);
  if (process.platform === "win32") return `\\\\.\\pipe\\agentlightning-${hash}`;
  const inFolder = join(real, DATA_DIR_LOCK_NAME);
  // A folder with a very long path, or on a file system without sockets, keeps its lock in the
  // temporary folder, named by the path.
  return inFolderAllowed && Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH_BYTES
    ? inFolder
    : join(tmpdir(), `agl-${hash}.sock`);
}

type Probe = { state: "held"; holder: string } | { state: "stale" } | { state: "absent" };

// Connects to the lock: a live holder answers with its pid; a dead one's socket refuses.
function probe(address: string): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect(address);
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("connect", () => {
      // The holder writes its pid and closes; "held" does not depend on the answer arriving.
      socket.setTimeout(2000, () => socket.destroy());
    });
    socket.on("close", (hadError) => {
      if (!hadError) resolve({ state: "held", holder: answer.trim() || "unknown" });
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") resolve({ state: "absent" });
      else if (error.code === "ECONNREFUSED" || error.code === "ENOTSOCK") resolve({ state: "stale" });
      // Anything else (EACCES...): treat as held rather than risk opening the folder twice.
      else resolve({ state: "held", holder: `unknown (${error.code ?? error.message})` });
    });
  });
}

function listen(address: string): Promise<Server | "in-use"> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end(`${process.pid}\n`));
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve("in-use");
      else reject(error);
    });
    server.listen(address, () => {
      // The lock must not keep the process alive.
      server.unref();
      resolve(server);
    });
  });
}

function inUse(dataDir: string, holder: string): AglError {
  return new AglError(
    "conflict",
    `Data folder ${dataDir} is in use by process ${holder}; stop that process or use another folder`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs `fn` holding the take-over directory (mkdir is atomic), so replacing a stale socket and
// listening in its place happen as one step with respect to other processes doing the same.
async function withTakeover<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const dir = join(dataDir, `${DATA_DIR_LOCK_NAME}.takeover`);
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(dir).mtimeMs;
      } catch {
        continue; // removed meanwhile: try again
      }
      if (age > TAKEOVER_STALE_MS) {
        rmdirSync(dir, { recursive: false });
        continue;
      }
      if (attempt > 200)
        throw new AglError("conflict", `Data folder ${dataDir}: could not take its lock over`);
      await sleep(25);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      rmdirSync(dir);
    } catch {
      // already gone
    }
  }
}

/**
 * Takes the lock of a PGlite data folder for this process, or fails with `conflict` naming the
 * process that holds it. The lock is released by {@link DataDirLock.release}, and by the
 * operating system when the process dies in any way (no stale lock survives a crash or a reused
 * pid). The folder must exist.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  let address = lockAddress(dataDir);
  for (let attempt = 0; attempt < 20; attempt++) {
    let server: Server | "in-use";
    try {
      server = await listen(address);
    } catch (error) {
      const fallback = lockAddress(dataDir, false);
      if (fallback === address) throw error;
      address = fallback; // a file system without Unix sockets (a network or Windows share)
      continue;
    }
    if (server !== "in-use") return heldLock(address, server);
    const found = await probe(address);
    if (found.state === "held") throw inUse(dataDir, found.holder);
    if (found.state === "absent") continue; // released meanwhile: listen again
    if (process.platform === "win32") continue;
    const taken = await withTakeover(dataDir, async () => {
      // Check again under the take-over lock: another process may have replaced it already.
      const again = await probe(address);
      if (again.state === "held") throw inUse(dataDir, again.holder);
      if (again.state === "stale") unlinkSync(address);
      return listen(address);
    });
    if (taken !== "in-use") return heldLock(address, taken);
  }
  throw new AglError("conflict", `Data folder ${dataDir}: could not take its lock`);
}

function heldLock(address: string, server: Server): DataDirLock {
  let released: Promise<void> | undefined;
  return {
    address,
    release() {
      // Closing a Unix socket server also removes its file.
      released ??= new Promise((resolve) => server.close(() => resolve()));
      return released;
    },
  };
}
