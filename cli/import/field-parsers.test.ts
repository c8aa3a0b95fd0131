import { describe, expect, it } from "vitest";
import { parseColumnOverrides, planColumns } from "./column-mapping.js";
import { FieldError, parseEmbedding, parseId, parseTags, parseTimestamp, parseType } from "./field-parsers.js";

describe("import field parsers", () => {
  it("reads Unix seconds, Unix milliseconds and ISO-8601 times", () => {
    expect(parseTimestamp("964982703")).toBe(964_982_703_000);
    expect(parseTimestamp(964_982_703)).toBe(964_982_703_000);
    expect(parseTimestamp("1709287200000")).toBe(1_709_287_200_000);
    expect(parseTimestamp("2024-03-01T10:00:00Z")).toBe(Date.UTC(2024, 2, 1, 10));
    expect(() => parseTimestamp("yesterday")).toThrow(FieldError);
    expect(() => parseTimestamp("-5")).toThrow(/before 1970/);
  });

  it("accepts interaction type names and aliases, refusing others with the list", () => {
    expect(parseType("PURCHASE")).toBe("purchase");
    expect(parseType("add-to-cart")).toBe("add_to_cart");
    expect(parseType("INTERACTION_TYPE_RATING")).toBe("rating");
    expect(() => parseType("teleport")).toThrow(/one of view, click/);
  });

  it("splits tags, drops MovieLens's no-genre placeholder, and validates ids and embeddings", () => {
    expect(parseTags("Adventure|Animation", "|")).toEqual(["Adventure", "Animation"]);
    expect(parseTags("(no genres listed)", "|")).toEqual([]);
    expect(parseTags(["a", " b "], "|")).toEqual(["a", "b"]);
    expect(parseId(42)).toBe("42");
    expect(() => parseId("  ")).toThrow(/is empty/);
    expect(() => parseId("a\u0007b")).toThrow(/control characters/);
    const e = parseEmbedding(Array.from({ length: 32 }, (_, i) => (i === 0 ? 3 : 0)).join(" "));
    expect(e[0]).toBe(1);
    expect(() => parseEmbedding("1,2,3")).toThrow(/has 3 numbers, expected 32/);
  });
});

describe("column mapping", () => {
  it("finds MovieLens columns by default and leaves the rest as attributes", () => {
    const plan = planColumns("items", "movies.csv", ["movieId", "title", "genres"], parseColumnOverrides([]), true);
    expect(plan.fields).toEqual({ item_id: { name: "movieId", number: 1 }, tags: { name: "genres", number: 3 } });
    expect(plan.extra).toEqual([{ name: "title", number: 2 }]);
  });

  it("applies unscoped mappings to every file with the field and scoped ones to one file", () => {
    const overrides = parseColumnOverrides(["item_id=sku", "interactions.item_id=product"]);
    expect(overrides.items.get("item_id")).toBe("sku");
    expect(overrides.interactions.get("item_id")).toBe("product");
    expect(() => parseColumnOverrides(["nonsense"])).toThrow(/expected field=column/);
    expect(() => planColumns("items", "c.csv", ["id"], overrides, true)).toThrow('c.csv: --map item_id=sku: no column "sku" (columns: id)');
  });
});
