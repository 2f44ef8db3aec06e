import { describe, expect, it } from "vitest";
import { formatHash, intParam, listParam, parseHash } from "./router.js";

describe("hash routes", () => {
  it("round-trips segments and filters", () => {
    const hash = formatHash(["rollouts", "ro-1/x"], {
      status: ["failed", "succeeded"],
      q: "ab",
      page: 2,
      no: "",
    });
    expect(hash).toBe("#/rollouts/ro-1%2Fx?status=failed%2Csucceeded&q=ab&page=2");
    const route = parseHash(hash);
    expect(route.segments).toEqual(["rollouts", "ro-1/x"]);
    expect(listParam(route.params, "status")).toEqual(["failed", "succeeded"]);
    expect(intParam(route.params, "page", 0)).toBe(2);
    expect(intParam(route.params, "size", 50)).toBe(50);
    expect(route.params.has("no")).toBe(false);
  });
  it("reads an empty hash as the root", () => {
    expect(parseHash("").segments).toEqual([]);
    expect(parseHash("#/").segments).toEqual([]);
  });
});
