import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../kit/errors/errors.js";
import { ModelTable } from "./model-table.js";

class FakeModel {
  released = false;
  constructor(readonly id: string) {}
  async release(): Promise<void> {
    this.released = true;
  }
}

describe("ModelTable", () => {
  it("serves the first installed name as default and resolves pins by name and version", () => {
    const table = new ModelTable<FakeModel>();
    table.install("ctr", "1", new FakeModel("ctr@1"));
    table.install("other", "7", new FakeModel("other@7"));
    expect(table.acquire().model.id).toBe("ctr@1");
    expect(table.acquire({ name: "other" }).model.id).toBe("other@7");
    expect(table.acquire({ name: "other", version: "7" }).version).toBe("7");
    expect(() => table.acquire({ name: "nope" })).toThrow(NotFoundError);
    expect(() => table.acquire({ name: "other", version: "6" })).toThrow(NotFoundError);
  });

  it("swaps atomically: a lease keeps its version, the old one is released after its last lease", () => {
    const table = new ModelTable<FakeModel>();
    const v1 = new FakeModel("v1");
    table.install("ctr", "1", v1);
    const before = table.acquire();
    const v2 = new FakeModel("v2");
    table.install("ctr", "2", v2);
    const after = table.acquire();
    expect(before.model).toBe(v1);
    expect(after.model).toBe(v2);
    expect(v1.released).toBe(false);
    expect(table.entries().map((e) => [e.version, e.draining])).toEqual([
      ["2", false],
      ["1", true],
    ]);
    before.release();
    before.release();
    expect(v1.released).toBe(true);
    expect(v2.released).toBe(false);
    expect(table.entries()).toHaveLength(1);
  });

  it("releases an idle replaced version at once", () => {
    const table = new ModelTable<FakeModel>();
    const v1 = new FakeModel("v1");
    table.install("ctr", "1", v1);
    table.install("ctr", "2", new FakeModel("v2"));
    expect(v1.released).toBe(true);
  });
});
