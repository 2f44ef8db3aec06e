import { createServer } from "node:net";
import { AglError } from "@agentlightning/types";

/**
 * Fails with a message that says what to do when `host:port` cannot be listened on, before
 * anything slow happens (opening and migrating a database takes seconds; finding out afterwards
 * that the port is taken wastes them). Port 0 always works. A race with another process taking
 * the port between this check and the real listen is still reported, only later.
 */
export async function ensurePortAvailable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(portError(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function portError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case "EADDRINUSE":
      return new AglError(
        "conflict",
        `Port ${port} on ${host} is already in use (another agl store?): stop that process, or pick another port with --port N (or AGL_PORT; --port 0 picks a free one)`,
        { cause: error },
      );
    case "EACCES":
      return new AglError(
        "unavailable",
        `Not allowed to listen on port ${port} (ports below 1024 need privileges): pick another with --port N`,
        { cause: error },
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new AglError(
        "invalid_argument",
        `Cannot listen on ${host}: not an address of this machine; pick one with --host (0.0.0.0 = every address)`,
        { cause: error },
      );
    default:
      return error;
  }
}
