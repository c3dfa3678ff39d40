// Byte sources for the browser: a File/Blob, or a URL read with HTTP range requests
// (RFC 9110 14: Range / Content-Range, status 206). Both are asynchronous only.
import type { ByteSource } from "./block-device";
import { DiskImageError } from "./block-device";

/** A File or Blob (browser file picker, drag and drop, or Node's Blob). */
export class BlobSource implements ByteSource {
  readonly byteLength: number;

  constructor(private readonly blob: Blob) {
    this.byteLength = blob.size;
  }

  async readAsync(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const end = Math.min(this.byteLength, offset + length);
    if (end > offset) out.set(new Uint8Array(await this.blob.slice(offset, end).arrayBuffer()));
    return out;
  }
}

/** The subset of `fetch` used here, injectable for tests and custom transports. */
export type FetchLike = (
  url: string,
  init: { method: string; headers?: Record<string, string> },
) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** Options of {@link HttpRangeSource.open}. */
export interface HttpRangeOptions {
  readonly fetch?: FetchLike;
  /** Bytes fetched per request and cached (default 256 KiB). */
  readonly blockBytes?: number;
  /** Blocks kept in the cache (default 64). */
  readonly cacheBlocks?: number;
}

export class HttpRangeSource implements ByteSource {
  /** Cached blocks by index, oldest first (Map keeps insertion order). */
  private readonly cache = new Map<number, Uint8Array>();

  private constructor(
    private readonly url: string,
    readonly byteLength: number,
    private readonly fetchFn: FetchLike,
    private readonly blockBytes: number,
    private readonly cacheBlocks: number,
  ) {}

  /** Asks for the size with HEAD and checks the server accepts byte ranges. */
  static async open(url: string, options: HttpRangeOptions = {}): Promise<HttpRangeSource> {
    const fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (fetchFn === undefined) throw new DiskImageError("no fetch() available for HTTP images");
    const head = await fetchFn(url, { method: "HEAD" });
    if (head.status < 200 || head.status > 299) {
      throw new DiskImageError(`HTTP image ${url}: HEAD answered ${head.status}`);
    }
    const length = Number(head.headers.get("content-length"));
    if (!Number.isSafeInteger(length) || length <= 0) {
      throw new DiskImageError(`HTTP image ${url}: no usable Content-Length`);
    }
    if (head.headers.get("accept-ranges")?.toLowerCase() !== "bytes") {
      throw new DiskImageError(`HTTP image ${url}: the server does not accept byte ranges`);
    }
    return new HttpRangeSource(
      url,
      length,
      fetchFn,
      options.blockBytes ?? 256 * 1024,
      options.cacheBlocks ?? 64,
    );
  }

  async readAsync(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const end = Math.min(this.byteLength, offset + length);
    for (let at = offset; at < end;) {
      const index = Math.floor(at / this.blockBytes);
      const block = await this.block(index);
      const within = at - index * this.blockBytes;
      const take = Math.min(block.length - within, end - at);
      out.set(block.subarray(within, within + take), at - offset);
      at += take;
    }
    return out;
  }

  private async block(index: number): Promise<Uint8Array> {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    const first = index * this.blockBytes;
    const last = Math.min(this.byteLength, first + this.blockBytes) - 1;
    const response = await this.fetchFn(this.url, {
      method: "GET",
      headers: { range: `bytes=${first}-${last}` },
    });
    // 206 Partial Content with exactly the requested range; a 200 means ranges were ignored.
    if (response.status !== 206) {
      throw new DiskImageError(`HTTP image ${this.url}: range request answered ${response.status}`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length !== last - first + 1) {
      throw new DiskImageError(`HTTP image ${this.url}: short range response`);
    }
    this.cache.set(index, bytes);
    if (this.cache.size > this.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
    return bytes;
  }
}
