// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { span } from "../lib/test-spans.js";
import { SpanPanel } from "./span-panel.js";
import { Waterfall } from "./waterfall.js";

afterEach(cleanup);

const names = (container: HTMLElement) =>
  [...container.querySelectorAll(".wf-row")].map(
    (e) => `${e.getAttribute("data-depth")}:${e.getAttribute("data-span-name")}`,
  );

describe("Waterfall", () => {
  it("nests spans, marks errors, collapses and selects", () => {
    const spans = [
      span(1, "root", null, 0, 2, { name: "agent" }),
      span(2, "llm", "root", 0.1, 0.5, { name: "openai.chat.completion" }),
      span(3, "bad", "root", 0.6, 0.7, { name: "tool", status: { status_code: "ERROR", description: "x" } }),
    ];
    let selected = "";
    const { container } = render(
      <Waterfall spans={spans} selectedKey={null} onSelect={(k) => (selected = k)} />,
    );
    expect(names(container)).toEqual(["0:agent", "1:openai.chat.completion", "1:tool"]);
    expect(container.querySelector(".wf-row.error")?.getAttribute("data-span-name")).toBe("tool");
    expect(container.querySelector(".wf-bar.llm")).not.toBeNull();
    expect(screen.getByText("1 error")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Collapse" }));
    expect(names(container)).toEqual(["0:agent"]);
    fireEvent.click(container.querySelector(".wf-row")!);
    expect(selected).toBe("root#1");
  });

  it("finds spans by name or error and selects each match in turn", () => {
    const spans = [
      span(1, "root", null, 0, 3, { name: "agent" }),
      span(2, "a", "root", 0.1, 0.5, { name: "tool-a" }),
      span(3, "b", "root", 0.6, 0.7, { name: "tool-b", status: { status_code: "ERROR", description: "x" } }),
    ];
    const selected: string[] = [];
    const { container } = render(
      <Waterfall spans={spans} selectedKey={null} onSelect={(k) => selected.push(k)} />,
    );
    const find = screen.getByLabelText("Find span");
    fireEvent.change(find, { target: { value: "tool" } });
    expect(screen.getByTestId("find-count").textContent).toBe("2 matches");
    expect(container.querySelectorAll(".wf-row.match")).toHaveLength(2);
    fireEvent.keyDown(find, { key: "Enter" });
    fireEvent.keyDown(find, { key: "Enter" });
    fireEvent.keyDown(find, { key: "Enter" });
    expect(selected).toEqual(["a#2", "b#3", "a#2"]);
    expect(screen.getByTestId("find-count").textContent).toBe("1 of 2");
    fireEvent.change(find, { target: { value: "error" } });
    expect(screen.getByTestId("find-count").textContent).toBe("1 match");
    fireEvent.change(find, { target: { value: "nothing" } });
    expect(screen.getByTestId("find-count").textContent).toBe("no match");
  });

  it("renders only a window of a 10,000-span attempt", () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => span(i + 1, `s${i}`, null, i, i + 1));
    const { container } = render(<Waterfall spans={spans} selectedKey={null} onSelect={() => {}} />);
    const rendered = container.querySelectorAll(".wf-row").length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    expect(screen.getByText("10000 spans")).toBeTruthy();
  });
});

describe("SpanPanel", () => {
  it("opens an LLM call on its chat and a reward span on its attributes", () => {
    const llm = span(1, "a", null, 0, 1, {
      name: "openai.chat.completion",
      attributes: {
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "hi",
        "gen_ai.usage.total_tokens": 3,
      },
    });
    render(<SpanPanel span={llm} />);
    expect(screen.getByTestId("chat").textContent).toContain("hi");
    cleanup();
    const reward = span(2, "b", null, 0, 1, {
      name: "agentlightning.annotation",
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 0.5 },
    });
    render(<SpanPanel span={reward} />);
    expect(screen.queryByTestId("chat")).toBeNull();
    fireEvent.click(screen.getByRole("tab", { name: "rewards (0.5)" }));
    expect(screen.getByText("primary")).toBeTruthy();
  });
});
