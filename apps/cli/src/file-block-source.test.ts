// The file source must leave the user's image alone unless writing was asked for.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileBlockSource } from "./file-block-source";

let dir: string;
let path: string;
const original = new Uint8Array(4096).map((_, i) => (i * 13 + 1) & 0xff);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ringvm-disk-"));
  path = join(dir, "disk.img");
  writeFileSync(path, original);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("FileBlockSource", () => {
  it("opens read-only by default and reads (zero past the end)", async () => {
    const source = FileBlockSource.open(path);
    expect(source.isWritable).toBe(false);
    expect(source.writeSync).toBeUndefined();
    expect(source.byteLength).toBe(4096);
    const into = new Uint8Array(8);
    source.readSync(4092, into);
    expect([...into]).toEqual([...original.subarray(4092), 0, 0, 0, 0]);
    expect(await source.readAsync(1, 3)).toEqual(original.subarray(1, 4));
    source.close();
  });

  it("writes in place only when opened writable, never growing the file", () => {
    const source = FileBlockSource.open(path, { isWritable: true });
    source.writeSync!(4090, new Uint8Array(16).fill(0xee));
    source.close();
    const after = readFileSync(path);
    expect(after.length).toBe(4096);
    expect([...after.subarray(4090)]).toEqual([0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
  });

  it("names the file when it cannot be opened", () => {
    expect(() => FileBlockSource.open(join(dir, "missing.img"))).toThrow(/missing\.img/);
    expect(() => FileBlockSource.open(dir)).toThrow(/not a regular file|EISDIR/);
  });

  it("refuses reads after close with an error instead of a bad descriptor", () => {
    const source = FileBlockSource.open(path);
    source.close();
    expect(() => source.readSync(0, new Uint8Array(1))).toThrow(/closed/);
  });
});
