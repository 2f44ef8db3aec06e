import { describe, expect, it } from "vitest";
import { RolloutQueue } from "./rollout-queue.js";

describe("RolloutQueue", () => {
  it("holds an id at most once until it is popped", () => {
    const queue = new RolloutQueue();
    expect(queue.pushIfAbsent("a")).toBe(true);
    expect(queue.pushIfAbsent("b")).toBe(true);
    expect(queue.pushIfAbsent("a")).toBe(false);
    expect(queue.size).toBe(2);
    expect(queue.shift()).toBe("a");
    expect(queue.has("a")).toBe(false);
    expect(queue.pushIfAbsent("a")).toBe(true);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(["b", "a", undefined]);
  });

  it("stays FIFO across compactions", () => {
    const queue = new RolloutQueue();
    const out: string[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) queue.pushIfAbsent(`r${next++}`);
      for (let i = 0; i < 250; i++) out.push(queue.shift()!);
    }
    while (queue.size > 0) out.push(queue.shift()!);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => `r${i}`));
  });
});
