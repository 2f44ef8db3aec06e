import { describe, expect, it } from "vitest";
import { formatDuration, formatEndTime, formatNumber, formatTime, previewJson } from "./format.js";

describe("formatDuration", () => {
  it("keeps sub-second precision instead of a dash", () => {
    expect(formatDuration(0.0004)).toBe("0.40 ms");
    expect(formatDuration(0.0123)).toBe("12.3 ms");
    expect(formatDuration(0.845)).toBe("845 ms");
    expect(formatDuration(1.2391)).toBe("1.24 s");
    expect(formatDuration(125.1)).toBe("2m 05.1s");
    expect(formatDuration(3 * 3600 + 125)).toBe("3h 02m");
    expect(formatDuration(0.000999999)).toBe("1.0 ms");
    expect(formatDuration(0.9999)).toBe("1.00 s");
    expect(formatDuration(59.99)).toBe("1m 00.0s");
  });
  it("shows a dash for unknown or negative durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(-1)).toBe("—");
  });
});

describe("previewJson / formatNumber", () => {
  it("cuts long values and shows strings bare", () => {
    expect(previewJson({ q: "x".repeat(100) }, 20)).toHaveLength(20);
    expect(previewJson("hello\nworld")).toBe("hello world");
  });
  it("drops trailing zeros", () => {
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(1234)).toBe("1,234");
    expect(formatNumber(null)).toBe("—");
  });
});

describe("formatEndTime", () => {
  it("drops the date when the end falls on the start's day", () => {
    const start = new Date(2026, 0, 2, 10, 0, 0).getTime() / 1000;
    expect(formatEndTime(start, start + 1.5)).toBe("10:00:01.500");
    expect(formatEndTime(start, start + 86400)).toBe(formatTime(start + 86400));
    expect(formatEndTime(start, null)).toBe("—");
  });
});
