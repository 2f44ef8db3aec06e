import { readFileSync } from "node:fs";

/** Version of the server app, read from its package.json. */
export function serverVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}
