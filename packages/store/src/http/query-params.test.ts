import { QueryRolloutsBodySchema, QuerySpansBodySchema } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { RequestValidationError } from "./errors.js";
import { parseQuery, queryParamKind } from "./query-params.js";
import { isJsonContentType } from "./validate.js";

describe("parseQuery", () => {
  it("knows list, integer and scalar parameters from the schema", () => {
    const shape = QueryRolloutsBodySchema.shape;
    expect(queryParamKind(shape.status_in)).toBe("list");
    expect(queryParamKind(shape.limit)).toBe("int");
    expect(queryParamKind(shape.sort_by)).toBe("scalar");
  });

  it("reads repeated keys, integers and the last scalar; ignores unknown keys", () => {
    const params = new URLSearchParams(
      "status_in=failed&status_in=succeeded&limit=+3&offset= 2 &sort_by=a&sort_by=b&x=1",
    );
    expect(parseQuery(QueryRolloutsBodySchema, params)).toMatchObject({
      status_in: ["failed", "succeeded"],
      limit: 3,
      offset: 2,
      sort_by: "b",
      rollout_id_in: null,
    });
  });

  it("reports every bad parameter at once, int_parsing first", () => {
    try {
      parseQuery(QuerySpansBodySchema, new URLSearchParams("limit=1.5&offset=x&sort_order=up"));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RequestValidationError);
      const locs = (error as RequestValidationError).detail.map((d) => [d.type, d.loc.join(".")]);
      expect(locs).toEqual([
        ["int_parsing", "query.limit"],
        ["int_parsing", "query.offset"],
        ["missing", "query.rollout_id"],
        ["literal_error", "query.sort_order"],
      ]);
    }
  });
});

describe("isJsonContentType", () => {
  it("accepts no type, application/json and +json types", () => {
    expect(isJsonContentType(undefined)).toBe(true);
    expect(isJsonContentType("Application/JSON; charset=utf-8")).toBe(true);
    expect(isJsonContentType("application/merge-patch+json")).toBe(true);
    expect(isJsonContentType("text/plain")).toBe(false);
    expect(isJsonContentType("application/x-www-form-urlencoded")).toBe(false);
  });
});
