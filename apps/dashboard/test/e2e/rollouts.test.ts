import { LightningStoreClient } from "@agentlightning/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardEnv, startDashboardEnv } from "../support/dashboard-env.js";

let env: DashboardEnv;

beforeAll(async () => {
  env = await startDashboardEnv({ bigSpans: 2500 });
});

afterAll(async () => {
  await env?.close();
});

const rows = () => env.browser.page.locator("[data-testid=rollouts-table] tbody tr");

async function statusesShown() {
  return env.browser.page.locator("[data-testid=rollouts-table] tbody tr td:nth-child(2)").allInnerTexts();
}

describe("Rollouts page in Chromium", () => {
  it("lists the seeded rollouts with server-side paging", async () => {
    const { page } = env.browser;
    await env.open("#/rollouts?size=25");
    await rows().first().waitFor();
    expect(await rows().count()).toBe(25);
    const pager = page.getByTestId("pager");
    await expect.poll(() => pager.innerText()).toContain(`1–25 of ${env.seeded.total}`);
    await env.browser.screenshot("rollouts");
    await page.getByRole("button", { name: "Next ›" }).click();
    await expect.poll(() => pager.innerText()).toContain(`26–50 of ${env.seeded.total}`);
    expect(page.url()).toContain("page=1");
    // Reward and token columns come from the summaries extension when the server has it.
    const headers = await page.locator("[data-testid=rollouts-table] th").allInnerTexts();
    expect(headers.join("|")).toMatch(/Rollout\|Status\|Mode\|Input\|Attempts/);
  });

  it("filters by status and mode, keeping the filters in the URL", async () => {
    const { page } = env.browser;
    await env.open("#/rollouts");
    await rows().first().waitFor();
    await page.getByRole("button", { name: "failed", exact: true }).click();
    await expect.poll(() => page.url()).toContain("status=failed");
    await expect.poll(async () => [...new Set(await statusesShown())]).toEqual(["failed"]);
    await page.getByRole("button", { name: "failed", exact: true }).click();
    await page.getByLabel("Mode").selectOption("test");
    await expect.poll(() => page.url()).toContain("mode=test");
    await expect
      .poll(async () => [
        ...new Set(
          await page.locator("[data-testid=rollouts-table] tbody tr td:nth-child(3)").allInnerTexts(),
        ),
      ])
      .toEqual(["test"]);
    // Reloading the URL restores the view.
    await page.reload();
    await rows().first().waitFor();
    expect(await page.getByLabel("Mode").inputValue()).toBe("test");
  });

  it("finds a rollout by id and sorts by start time", async () => {
    const { page } = env.browser;
    await env.open("#/rollouts");
    await rows().first().waitFor();
    await page.getByLabel("Search rollout id").fill(env.seeded.richRolloutId.slice(3, 11));
    await page.getByLabel("Search rollout id").press("Enter");
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain(env.seeded.richRolloutId);
    await env.open("#/rollouts?sort=start_time&order=asc");
    await expect.poll(() => rows().first().getAttribute("data-rollout")).toBe(env.seeded.richRolloutId);
    await page.getByRole("columnheader", { name: /Start/ }).click();
    await expect.poll(() => page.url()).toContain("order=desc");
    await expect.poll(() => rows().first().getAttribute("data-rollout")).not.toBe(env.seeded.richRolloutId);
  });
});

describe("Live refresh in Chromium", () => {
  it("shows a rollout enqueued while the page is open, without a reload", async () => {
    const { page } = env.browser;
    await env.open("#/rollouts?status=queuing&size=200");
    await rows().first().waitFor();
    const before = await rows().count();
    const client = new LightningStoreClient({ url: env.store.url });
    const added = await client.enqueueRollout({ input: { question: "live" }, mode: "test" });
    await client.close();
    // The default refresh interval is 5 s.
    await expect.poll(() => rows().count(), { timeout: 20_000, interval: 250 }).toBe(before + 1);
    expect(await page.locator(`[data-rollout="${added.rollout_id}"]`).count()).toBe(1);
    env.seeded.total += 1;
  });
});

describe("Rollout detail page in Chromium", () => {
  it("shows attempts, the waterfall with errors marked, and an LLM call as a chat", async () => {
    const { page } = env.browser;
    await env.open(`#/rollouts/${env.seeded.richRolloutId}`);
    const attempts = page.locator("[data-testid=attempts-table] tbody tr");
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.nth(0).innerText()).toContain("failed");
    expect(await attempts.nth(1).innerText()).toContain("succeeded");
    expect(await attempts.nth(1).innerText()).toContain("runner-1");
    const wf = page.getByTestId("waterfall");
    await wf.locator(".wf-row").first().waitFor();
    const names = await wf
      .locator(".wf-row")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-span-name"), e.getAttribute("data-depth")]));
    expect(names).toEqual([
      ["agent.run", "0"],
      ["openai.chat.completion", "1"],
      ["tool_call.calculator", "2"],
      ["tool.execute", "1"],
      ["openai.chat.completion", "1"],
      ["agentlightning.annotation", "1"],
    ]);
    expect(await wf.locator(".wf-row.error").getAttribute("data-span-name")).toBe("tool.execute");
    expect(await page.getByTestId("final-reward").innerText()).toBe("0.8");
    await wf.locator(".wf-row").nth(1).click();
    const chat = page.getByTestId("chat");
    await chat.waitFor();
    expect(await chat.innerText()).toContain("What is 12*7?");
    expect(await chat.innerText()).toContain("prompt 42, completion 7, total 49");
    expect(page.url()).toContain("span=");
    await env.browser.screenshot("rollout-detail");
    // Collapsing the root hides its descendants.
    await wf.getByRole("button", { name: "Collapse", exact: true }).first().click();
    await expect.poll(() => wf.locator(".wf-row").count()).toBe(1);
    // The first attempt's spans.
    await attempts.nth(0).click();
    await expect.poll(() => page.url()).toContain(`attempt=${env.seeded.richAttemptIds[0]}`);
    await expect.poll(() => wf.locator(".wf-row").count()).toBe(2);
  });

  it("shows the triplets TracerTraceToTriplet makes, the reward on the call before it", async () => {
    const { page } = env.browser;
    await env.open(`#/rollouts/${env.seeded.richRolloutId}?tab=triplets`);
    const trs = page.locator("[data-testid=triplets] tbody tr");
    await expect.poll(() => trs.count()).toBe(2);
    const cells = await trs.evaluateAll((els) =>
      els.map((e) => [...e.querySelectorAll("td")].map((td) => td.textContent)),
    );
    expect(cells[0]?.[1]).toBe("What is 12*7?");
    expect(cells[0]?.[2]).toBe("Let me compute 12*7.");
    expect(cells[0]?.[3]).toBe("—");
    expect(cells[0]?.[4]).toBe("4 / 2");
    expect(cells[0]?.[5]).toBe("math-agent");
    expect(cells[1]?.[3]).toBe("0.8");
    await env.browser.screenshot("rollout-triplets");
    // A triplet leads to its span.
    await trs.nth(1).click();
    await page.getByTestId("chat").waitFor();
    expect(await page.getByTestId("chat").innerText()).toContain("12*7 = 84");
  });

  it(`keeps an attempt with thousands of spans virtualised`, async () => {
    const { page } = env.browser;
    const second = page.waitForRequest(
      (r) => r.url().includes("/v1/agl/spans?") && r.url().includes("offset=2000"),
    );
    await env.open(`#/rollouts/${env.seeded.bigRolloutId}`);
    const wf = page.getByTestId("waterfall");
    await wf.locator(".wf-row").first().waitFor();
    await wf.getByText(`${env.seeded.bigSpanCount} spans`, { exact: true }).waitFor();
    const inDom = await wf.locator(".wf-row").count();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(200);
    await wf.locator(".wf-scroll").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await wf.locator('.wf-row[data-span-name="last-span"]').waitFor();
    // The first 2,000 spans were drawn first, the rest came in a second request.
    await second;
    // Find jumps to a span far away and selects it.
    await wf.locator(".wf-scroll").evaluate((el) => {
      el.scrollTop = 0;
    });
    await wf.getByLabel("Find span").fill("step-7");
    await wf.getByLabel("Find span").press("Enter");
    await wf.locator('.wf-row.selected[data-span-name="step-7"]').waitFor();
    expect(await page.getByTestId("span-panel").locator("h2").innerText()).toBe("step-7");
    await env.browser.screenshot("rollout-big");
  });

  it("adds a reward annotation that becomes the final reward", async () => {
    const { page } = env.browser;
    await env.open(`#/rollouts/${env.seeded.richRolloutId}?tab=annotate`);
    await page.getByLabel("Reward value").fill("0.3");
    await page.getByLabel("Note").fill("checked by hand");
    await page.getByRole("button", { name: "Add reward" }).click();
    await page.getByRole("status").filter({ hasText: "Saved as span #7" }).waitFor();
    await expect.poll(() => page.getByTestId("final-reward").innerText()).toBe("0.3");
  });
});
