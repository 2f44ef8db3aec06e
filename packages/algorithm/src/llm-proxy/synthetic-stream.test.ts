// Synthetic streams (runtime checklist #137-#139).
import { describe, expect, it } from "vitest";
import { StreamAccumulator } from "./stream-accumulator.js";
import { anthropicStreamEvents, openAIStreamEvents, splitContent } from "./synthetic-stream.js";

type Json = Record<string, unknown>;

const dataOf = (events: string[]) =>
  events.map((event) => {
    expect(event.endsWith("\n\n")).toBe(true);
    expect(event.startsWith("data: ")).toBe(true);
    return event.slice(6, -2);
  });

const chunksOf = (events: string[]) =>
  dataOf(events)
    .filter((data) => data !== "[DONE]")
    .map(
      (data) =>
        JSON.parse(data) as {
          choices: { delta: Json; finish_reason: unknown }[];
          object: string;
          model: string;
        },
    );

const chat = (message: Json, finish_reason: unknown = "stop"): Json => ({
  id: "chatcmpl-1",
  created: 1_700_000_000,
  model: "m",
  choices: [{ index: 0, message, finish_reason }],
});

const long =
  "The quick brown fox jumps over the lazy dog, then keeps running across the wide open field until dusk.";

describe("synthetic OpenAI stream (#137)", () => {
  it("starts with the role, ends with the original finish reason and [DONE], and reassembles long text exactly", () => {
    for (const finish of ["stop", "length"]) {
      const events = openAIStreamEvents(chat({ role: "assistant", content: long }, finish));
      const chunks = chunksOf(events);
      expect(dataOf(events).at(-1)).toBe("[DONE]");
      expect(chunks[0]!.choices[0]).toEqual({ index: 0, delta: { role: "assistant" }, finish_reason: null });
      expect(chunks.at(-1)!.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: finish });
      const pieces = chunks
        .map((c) => c.choices[0]!.delta.content)
        .filter((p): p is string => typeof p === "string");
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.join("")).toBe(long);
      for (const chunk of chunks)
        expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "m", id: "chatcmpl-1" });
    }
  });

  it("cuts content pieces after the last space of a 28-character window", () => {
    const pieces = splitContent(long);
    expect(pieces.join("")).toBe(long);
    for (const piece of pieces.slice(0, -1)) {
      expect(piece.length).toBeLessThanOrEqual(28);
      expect(piece.endsWith(" ")).toBe(true);
    }
    expect(splitContent("x".repeat(60))).toEqual(["x".repeat(28), "x".repeat(28), "xxxx"]);
    expect(splitContent("")).toEqual([]);
  });

  it("defaults: model 'unknown', id chatcmpl-<created>, finish 'stop'", () => {
    const chunks = chunksOf(openAIStreamEvents({ choices: [{ message: { content: "hi" } }] }, { now: 42 }));
    expect(chunks[0]).toMatchObject({ id: "chatcmpl-42", model: "unknown", created: 42 });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("adds a usage chunk only when asked", () => {
    const response = {
      ...chat({ content: "hi" }),
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
    expect(chunksOf(openAIStreamEvents(response)).some((c) => "usage" in c)).toBe(false);
    const withUsage = chunksOf(openAIStreamEvents(response, { includeUsage: true }));
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 2 } });
  });
});

describe("synthetic OpenAI stream with tool calls (#138)", () => {
  it("announces the function, streams arguments that concatenate to the JSON, and both content and call reassemble", () => {
    const args = JSON.stringify({
      query: "weather in a city with a rather long name",
      units: "metric",
      days: 5,
    });
    const response = chat(
      {
        role: "assistant",
        content: "Let me look that up for you right away.",
        tool_calls: [{ id: "call_9", type: "function", function: { name: "search", arguments: args } }],
      },
      null,
    );
    const events = openAIStreamEvents(response);
    const chunks = chunksOf(events);
    const announce = chunks.find(
      (c) => (c.choices[0]!.delta.tool_calls as Json[] | undefined)?.[0]?.id === "call_9",
    );
    expect(announce!.choices[0]!.delta.tool_calls).toEqual([
      { index: 0, id: "call_9", type: "function", function: { name: "search" } },
    ]);
    const argPieces = chunks
      .map(
        (c) =>
          (c.choices[0]!.delta.tool_calls as { function: { arguments?: string } }[] | undefined)?.[0]
            ?.function.arguments,
      )
      .filter((p): p is string => typeof p === "string");
    expect(argPieces.length).toBeGreaterThan(1);
    expect(argPieces.join("")).toBe(args);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");

    // The proxy's own accumulator rebuilds the same message from the stream.
    const acc = new StreamAccumulator();
    acc.push(new TextEncoder().encode(events.join("")));
    acc.end();
    const rebuilt = acc.result("chat") as { choices: { message: Json; finish_reason: string }[] };
    expect(rebuilt.choices[0]!.message).toEqual({
      role: "assistant",
      content: "Let me look that up for you right away.",
      tool_calls: [{ id: "call_9", type: "function", function: { name: "search", arguments: args } }],
    });
    expect(acc.done).toBe(true);
  });

  it("gives a call without id or type the defaults", () => {
    const chunks = chunksOf(
      openAIStreamEvents(
        chat({ content: null, tool_calls: [{ function: { name: "f", arguments: "{}" } }] }, null),
        { now: 7 },
      ),
    );
    expect(chunks.find((c) => c.choices[0]!.delta.tool_calls)!.choices[0]!.delta.tool_calls).toEqual([
      { index: 0, id: "call_1700000000_0", type: "function", function: { name: "f" } },
    ]);
  });
});

describe("synthetic Anthropic stream (#139)", () => {
  const parse = (events: string[]) =>
    events.map((event) => {
      const match = /^event: (\w+)\ndata: (.*)\n\n$/s.exec(event);
      expect(match).not.toBeNull();
      const data = JSON.parse(match![2]!) as Json;
      expect(data.type).toBe(match![1]);
      return data;
    });

  it("runs message_start ... message_stop; text and tool_use reassemble", () => {
    const input = { city: "Paris", days: 3, detail: "hourly forecast please" };
    const events = parse(
      anthropicStreamEvents({
        id: "msg_1",
        model: "claude-x",
        content: [
          { type: "text", text: "one two three four five six seven" },
          { type: "tool_use", id: "toolu_1", name: "weather", input },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 10, output_tokens: 20 },
      }),
    );
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      ...Array(Math.ceil(JSON.stringify(input).length / 20)).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[0]).toMatchObject({
      message: { id: "msg_1", role: "assistant", model: "claude-x", content: [], stop_reason: null },
    });
    const deltas = (index: number) =>
      events.filter((e) => e.type === "content_block_delta" && e.index === index).map((e) => e.delta as Json);
    expect(
      deltas(0)
        .map((d) => d.text)
        .join(""),
    ).toBe("one two three four five six seven");
    expect(deltas(0)[0]!.text).toBe("one two three four five ");
    expect(events.find((e) => e.type === "content_block_start" && e.index === 1)!.content_block).toEqual({
      type: "tool_use",
      id: "toolu_1",
      name: "weather",
      input: {},
    });
    expect(
      JSON.parse(
        deltas(1)
          .map((d) => d.partial_json)
          .join(""),
      ),
    ).toEqual(input);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { output_tokens: 20 } });
  });

  it("defaults: model 'claude', stop reason 'end_turn'", () => {
    const events = parse(anthropicStreamEvents({ content: [{ type: "text", text: "hi" }] }));
    expect(events[0]).toMatchObject({ message: { model: "claude" } });
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "end_turn" } });
  });
});
