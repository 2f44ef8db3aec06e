import { fileURLToPath } from "node:url";
import { type AglStore, startAglStore } from "./agl-store.js";
import { launchBrowser, type TestBrowser } from "./browser.js";
import { type Seeded, seedStore } from "./seed.js";
import { type StaticServer, startStaticServer, storeServesDashboard } from "./static-server.js";

/** The built dashboard (`pnpm build` writes it; turbo builds before testing). */
export const distDir = fileURLToPath(new URL("../../dist/", import.meta.url));

/** A seeded `agl store`, the dashboard served next to it, and a browser. */
export interface DashboardEnv {
  store: AglStore;
  seeded: Seeded;
  /** Where the dashboard is served (the store itself once it serves the dashboard). */
  appUrl: string;
  browser: TestBrowser;
  /** Opens a hash route (`#/rollouts?...`) of the dashboard. */
  open(hash: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts everything the browser tests need. */
export async function startDashboardEnv(
  options: { bulk?: number; bigSpans?: number } = {},
): Promise<DashboardEnv> {
  const store = await startAglStore(undefined, { dashboardDir: distDir });
  let statics: StaticServer | undefined;
  let browser: TestBrowser | undefined;
  try {
    const seeded = await seedStore(store.url, options);
    let appUrl = store.url;
    if (!(await storeServesDashboard(store.url))) {
      statics = await startStaticServer(distDir, store.url);
      appUrl = statics.url;
    }
    browser = await launchBrowser();
    const b = browser;
    return {
      store,
      seeded,
      appUrl,
      browser: b,
      async open(hash) {
        await b.page.goto(`${appUrl}/${hash}`);
      },
      async close() {
        await b.close();
        await statics?.close();
        await store.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await statics?.close();
    await store.stop();
    throw error;
  }
}
