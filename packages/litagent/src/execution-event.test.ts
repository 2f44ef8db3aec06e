import { describe, expect, it } from "vitest";
import { ExecutionEvent } from "./execution-event.js";

describe("ExecutionEvent", () => {
  it("set wakes waiters, isSet reports it, clear lowers it with a fresh signal", async () => {
    const event = new ExecutionEvent();
    expect(event.isSet()).toBe(false);
    const waiting = event.wait();
    const firstSignal = event.signal;
    event.set();
    await expect(waiting).resolves.toBe(true);
    expect(event.isSet()).toBe(true);
    expect(firstSignal.aborted).toBe(true);
    await expect(event.wait()).resolves.toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
    expect(event.signal.aborted).toBe(false);
  });

  it("wait(timeout) resolves false when nothing sets it", async () => {
    await expect(new ExecutionEvent().wait(5)).resolves.toBe(false);
  });

  it("fromSignal follows an AbortSignal, also one already aborted", async () => {
    const controller = new AbortController();
    const event = ExecutionEvent.fromSignal(controller.signal);
    expect(event.isSet()).toBe(false);
    controller.abort();
    expect(event.isSet()).toBe(true);
    expect(ExecutionEvent.fromSignal(AbortSignal.abort()).isSet()).toBe(true);
  });
});
