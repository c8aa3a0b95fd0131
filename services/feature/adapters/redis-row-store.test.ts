import { Command } from "ioredis";
import { describe, expect, it } from "vitest";
import { MgetBufferCommand } from "./redis-row-store.js";

/** The bytes ioredis itself would send for MGET of these keys. */
function ioredisBytes(keys: string[]): Buffer {
  const written = new Command("mget", keys, { replyEncoding: null }).toWritable({});
  return typeof written === "string" ? Buffer.from(written, "utf8") : written;
}

function bytesOf(keys: string[]): Buffer {
  const written = new MgetBufferCommand(keys).toWritable({});
  return typeof written === "string" ? Buffer.from(written, "utf8") : written;
}

describe("MgetBufferCommand", () => {
  it("sends the same RESP bytes as ioredis for ASCII keys", () => {
    const keys = Array.from({ length: 500 }, (_, i) => `f:item_content:1:item-${i * 37}`);
    expect(bytesOf(keys).equals(ioredisBytes(keys))).toBe(true);
    expect(bytesOf(["k"]).toString("latin1")).toBe("*2\r\n$4\r\nmget\r\n$1\r\nk\r\n");
  });

  it("counts bytes, not characters, for keys that are not ASCII", () => {
    const keys = ["f:user_taste:1:zoë", "f:user_taste:1:用户", "f:user_taste:1:plain"];
    expect(bytesOf(keys).equals(ioredisBytes(keys))).toBe(true);
    expect(bytesOf(keys).toString("utf8")).toContain("$21\r\nf:user_taste:1:用户\r\n");
  });
});
