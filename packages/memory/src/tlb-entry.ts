// Layout of one software-TLB entry (an int32 per 4 KiB linear page). Bits 31:12 hold the
// physical page; bits 11:0 are flags. The combined access rights are cached once per
// translation, as a real TLB caches them (SDM vol. 3A 4.10.2.2), and each access kind x
// privilege tests them with its own mask: `(entry & mask) === T_VALID` is a fast-path hit.

export const T_VALID = 1;
/** U/S was 0 at some level: user accesses fault. */
export const T_NO_USER = 2;
/** R/W was 0 at some level: user writes fault, supervisor writes fault when CR0.WP=1. */
export const T_NO_WRITE = 4;
/** XD was 1 at some level with EFER.NXE=1: fetches fault. */
export const T_NO_FETCH = 8;
/** The leaf's dirty flag is 0: a write must walk again to set it (SDM 4.8). */
export const T_CLEAN = 16;
/** Not plain RAM below 2 GiB (ROM, MMIO, unmapped, or an index past int32): physical slow path. */
export const T_SLOW = 32;
/** Writes need the physical slow path (page clean for dirty tracking, watched, or ROM-read/RAM-write). */
export const T_NO_FAST_WRITE = 64;
/** Translation from a global page with CR4.PGE=1: survives CR3 writes (SDM 4.10.2.4). */
export const T_GLOBAL = 128;
/** Physical address at or above 4 GiB: bits 31:12 cannot hold it, every access walks. */
export const T_HIGH = 256;
/** Fragment of a 2 MiB, 4 MiB or 1 GiB page: INVLPG must drop the whole page (SDM 4.10.4.1). */
export const T_LARGE_2M = 512;
export const T_LARGE_4M = 1024;
export const T_LARGE_1G = 2048;
export const T_LARGE = T_LARGE_2M | T_LARGE_4M | T_LARGE_1G;

/** Flags that only say which path an allowed access takes, not whether it is allowed. */
export const T_ROUTE = T_SLOW | T_NO_FAST_WRITE;
