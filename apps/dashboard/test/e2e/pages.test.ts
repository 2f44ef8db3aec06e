import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAglStore } from "../support/agl-store.js";
import { type DashboardEnv, distDir, startDashboardEnv } from "../support/dashboard-env.js";
import { startStaticServer, storeServesDashboard } from "../support/static-server.js";

let env: DashboardEnv;
/** Whether the store serves the read-only extensions (`/v1/agl/ext/...`), as `agl store` does once they land. */
let hasExtensions = false;

beforeAll(async () => {
  env = await startDashboardEnv({ bulk: 30, bigSpans: 50 });
  const probe = await fetch(`${env.store.url}/v1/agl/ext/rewards?limit=1`);
  hasExtensions = probe.status === 200;
});

afterAll(async () => {
  await env?.close();
});

describe("Rewards page in Chromium", () => {
  it("charts final rewards by mode and per resources version", async () => {
    const { page } = env.browser;
    await env.open("#/rewards");
    if (!hasExtensions) {
      await page.getByText("This store server has no reward extension").waitFor();
      return;
    }
    await page.getByTestId("reward-chart").locator("canvas").waitFor();
    const versions = page.locator("[data-testid=reward-versions] tbody tr");
    await expect.poll(() => versions.count()).toBe(2);
    expect(await versions.first().innerText()).toContain(env.seeded.resourcesIds[0]);
    await env.browser.screenshot("rewards");
    await page.getByLabel("Mode").selectOption("val");
    await expect.poll(() => page.url()).toContain("mode=val");
    // Only the bulk rollouts of mode val (and the big one, without reward) are left: one version.
    await expect.poll(() => versions.count()).toBe(1);
  });
});

describe("Resources page in Chromium", () => {
  it("lists every snapshot with the latest marked, renders resources and diffs two templates", async () => {
    const { page } = env.browser;
    await env.open("#/resources");
    const rows = page.locator("[data-testid=resources-table] tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().innerText()).toContain("latest");
    expect(await rows.first().innerText()).toContain(env.seeded.resourcesIds[1]);
    expect(await page.getByTestId("resource-main_llm").innerText()).toContain("qwen-7b-ft");
    expect(await page.getByTestId("resource-prompt").innerText()).toContain("Think step by step.");
    const diff = page.getByTestId("template-diff");
    expect(await diff.locator(".added").allInnerTexts()).toEqual([
      "+ You are a careful math tutor.",
      "+ Think step by step.",
    ]);
    expect(await diff.locator(".removed").allInnerTexts()).toEqual(["- You are a math tutor."]);
    await env.browser.screenshot("resources");
    await rows.nth(1).click();
    await expect.poll(() => page.url()).toContain(`id=${env.seeded.resourcesIds[0]}`);
    await expect.poll(() => page.getByTestId("resource-main_llm").innerText()).not.toContain("qwen-7b-ft");
  });
});

describe("Workers page in Chromium", () => {
  it("shows workers with heartbeat stats and filters by status", async () => {
    const { page } = env.browser;
    await env.open("#/workers");
    const rows = page.locator("[data-testid=workers-table] tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    const runner2 = page.locator('[data-worker="runner-2"]');
    expect(await runner2.innerText()).toContain("rollouts_done: 21");
    expect(await runner2.innerText()).toMatch(/busy/);
    expect(await runner2.getByRole("link").innerText()).toMatch(/^ro-/);
    await env.browser.screenshot("workers");
    await page.getByRole("button", { name: "idle", exact: true }).click();
    await expect.poll(() => page.url()).toContain("status=idle");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-worker")).toBe("runner-1");
    await env.open(`#/workers?q=2`);
    await expect.poll(() => page.locator("[data-testid=workers-table] tbody tr").count()).toBe(1);
  });
});

describe("Spans page in Chromium", () => {
  it("finds failed spans across rollouts and links to their rollout", async () => {
    const { page } = env.browser;
    await env.open("#/spans?status=ERROR");
    if (!hasExtensions) {
      await page.getByText("This store server has no span search extension").waitFor();
      return;
    }
    const rows = page.locator("[data-testid=spans-table] tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    const names = await rows.locator("td:nth-child(2)").allInnerTexts();
    expect(names).toEqual(["tool.execute", "tool.execute"]);
    await env.browser.screenshot("spans");
    await env.open("#/spans?key=gen_ai.response.id&value=chatcmpl-2");
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().getByRole("link").click();
    await expect.poll(() => page.url()).toContain(`#/rollouts/${env.seeded.richRolloutId}`);
    await page.getByTestId("span-panel").waitFor();
    expect(await page.getByTestId("chat").innerText()).toContain("12*7 = 84");
  });
});

describe("Annotate and Settings pages in Chromium", () => {
  it("annotates a rollout named by id with a note", async () => {
    const { page } = env.browser;
    await env.open("#/annotate");
    await page.getByLabel("Rollout to annotate").fill(env.seeded.bigRolloutId);
    await page.getByRole("button", { name: "Open" }).click();
    await page.getByRole("button", { name: "note", exact: true }).click();
    await page.getByLabel("Note").fill("looks wrong");
    await page.getByRole("button", { name: "Add note" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Saved as span #${env.seeded.bigSpanCount + 1}` })
      .waitFor();
  });

  it("asks before annotating an attempt in progress (the span counts as a heartbeat)", async () => {
    const { page } = env.browser;
    expect(env.seeded.runningRolloutId).not.toBeNull();
    await env.open(`#/annotate?rollout=${env.seeded.runningRolloutId}`);
    await page.getByLabel("Reward value").fill("1");
    const add = page.getByRole("button", { name: "Add reward" });
    await add.waitFor();
    expect(await add.isDisabled()).toBe(true);
    await page.getByLabel("Annotate anyway").check();
    await add.click();
    await page.getByRole("status").filter({ hasText: "Saved as span #1" }).waitFor();
  });

  it("keeps settings across reloads and sends the API key", async () => {
    const { page } = env.browser;
    await env.open("#/settings");
    await page.getByTestId("statistics").waitFor();
    expect(await page.getByTestId("statistics").innerText()).toContain("InMemoryLightningStore");
    await page.getByLabel("Theme").selectOption("dark");
    await page.getByLabel("Live refresh").selectOption("0");
    await page.getByLabel("API key").fill("secret-key");
    const sent = page.waitForRequest(
      (r) => r.url().includes("/v1/agl/statistics") && r.headers().authorization === "Bearer secret-key",
    );
    await page.getByRole("button", { name: "Save connection" }).click();
    await sent;
    await page.reload();
    await page.getByTestId("statistics").waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await page.getByLabel("Live refresh").inputValue()).toBe("0");
    await env.browser.screenshot("settings-dark");
    await page.getByLabel("API key").fill("");
    await page.getByRole("button", { name: "Save connection" }).click();
  });

  it("shows a clear error when the store cannot be reached", async () => {
    const { page } = env.browser;
    await page.goto(`${env.appUrl}/?store=http://127.0.0.1:9#/rollouts`);
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toContain(
      "Cannot reach the store at http://127.0.0.1:9",
    );
  });

  it("asks for the API key a store requires, then shows its (empty) data", async () => {
    const { page } = env.browser;
    const locked = await startAglStore(["--backend", "memory", "--api-key", "k-123"], {
      dashboardDir: distDir,
    });
    const statics = (await storeServesDashboard(locked.url))
      ? null
      : await startStaticServer(distDir, locked.url);
    try {
      // Another origin: fresh settings (localStorage is per origin), so no key yet.
      await page.goto(`${statics?.url ?? locked.url}/#/rollouts`);
      await page.getByRole("alert").waitFor();
      expect(await page.getByRole("alert").innerText()).toContain("The server requires an API key");
      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByLabel("API key").fill("k-123");
      await page.getByRole("button", { name: "Save connection" }).click();
      await page.getByTestId("statistics").waitFor();
      await page.getByRole("link", { name: "Rollouts" }).click();
      await page.getByText("No rollouts yet.").waitFor();
    } finally {
      await statics?.close();
      await locked.stop();
    }
  });

  it("degrades gracefully on a server without the extensions (as a Python v0.3.0 store answers)", async () => {
    const { page } = env.browser;
    // A Python store has no /v1/agl/ext/... routes: it answers 404 {"detail": "Not Found"}.
    await page.route("**/v1/agl/ext/**", (route) =>
      route.fulfill({ status: 404, contentType: "application/json", body: '{"detail":"Not Found"}' }),
    );
    try {
      await env.open("#/rollouts");
      await page.getByText("This store server has no summary extension").waitFor();
      const headers = await page.locator("[data-testid=rollouts-table] th").allInnerTexts();
      expect(headers.some((h) => h.startsWith("Final reward"))).toBe(false);
      expect(await page.locator("[data-testid=rollouts-table] tbody tr").count()).toBeGreaterThan(0);
      await env.open("#/rewards");
      await page.getByText("This store server has no reward extension").waitFor();
      await env.open("#/spans");
      await page.getByText("This store server has no span search extension").waitFor();
    } finally {
      await page.unroute("**/v1/agl/ext/**");
    }
  });
});
