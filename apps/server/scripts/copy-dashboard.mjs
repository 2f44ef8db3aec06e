// Copies the built dashboard (apps/dashboard/dist) to dashboard/ (beside dist/, which holds only what
// tsc emits), so the package and a deploy folder carry it and `agl store` serves it at `/` (src/dashboard-site.ts). turbo builds the dashboard
// first (it is a dev dependency of the server). Without a built dashboard nothing is copied and
// `agl store` redirects `/` to the API reference.
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const source = join(appDir, "..", "dashboard", "dist");
const target = join(appDir, "dashboard");

// Always from scratch: files of an older build must not linger.
rmSync(target, { recursive: true, force: true });
if (!existsSync(join(source, "index.html"))) {
  console.log(
    "dashboard not built (no apps/dashboard/dist/index.html): agl store will redirect / to the API reference",
  );
} else {
  cpSync(source, target, { recursive: true });
  const count = readdirSync(target, { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  ).length;
  console.log(`copied the dashboard (${count} files) to apps/server/dashboard`);
}
