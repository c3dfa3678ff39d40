// Browser byte sources. The fake server follows RFC 9110 14.1-14.4 (Range: bytes=first-last,
// 206 Partial Content, Accept-Ranges: bytes); Blob.slice follows the W3C File API.
import { describe, expect, it } from "vitest";
import type { FetchLike } from "./remote-sources";
import { BlobSource, HttpRangeSource } from "./remote-sources";

const data = new Uint8Array(10_000).map((_, i) => (i * 11) & 0xff);

function server(options: { ranges?: boolean } = {}) {
  const requests: string[] = [];
  const fetch: FetchLike = (_url, init) => {
    const headers = new Map<string, string>([["content-length", String(data.length)]]);
    if (options.ranges !== false) headers.set("accept-ranges", "bytes");
    const range = init.headers?.["range"];
    requests.push(`${init.method} ${range ?? ""}`);
    let body = init.method === "HEAD" ? new Uint8Array(0) : data;
    let status = 200;
    const match =
      range === undefined || options.ranges === false ? null : /^bytes=(\d+)-(\d+)$/.exec(range);
    if (match !== null) {
      body = data.slice(Number(match[1]), Number(match[2]) + 1);
      status = 206;
    }
    return Promise.resolve({
      status,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      arrayBuffer: () => Promise.resolve(body.slice().buffer),
    });
  };
  return { fetch, requests };
}

describe("BlobSource", () => {
  it("reads slices and zero-fills past the end", async () => {
    const source = new BlobSource(new Blob([data]));
    expect(source.byteLength).toBe(10_000);
    const read = await source.readAsync(9_998, 4);
    expect([...read]).toEqual([data[9_998], data[9_999], 0, 0]);
  });
});

describe("HttpRangeSource", () => {
  it("reads across blocks with range requests and caches them", async () => {
    const { fetch, requests } = server();
    const source = await HttpRangeSource.open("http://x/disk.img", { fetch, blockBytes: 4096 });
    expect(source.byteLength).toBe(10_000);
    expect(await source.readAsync(4000, 200)).toEqual(data.subarray(4000, 4200));
    expect(await source.readAsync(9000, 2000)).toEqual(
      new Uint8Array([...data.subarray(9000), ...new Uint8Array(1000)]),
    );
    await source.readAsync(4100, 10);
    expect(requests).toEqual([
      "HEAD ",
      "GET bytes=0-4095",
      "GET bytes=4096-8191",
      "GET bytes=8192-9999",
    ]);
  });

  it("refuses servers that ignore ranges, with a clear error", async () => {
    const { fetch } = server({ ranges: false });
    await expect(HttpRangeSource.open("http://x/disk.img", { fetch })).rejects.toThrow(
      /byte ranges/,
    );
  });
});
