// Debian's 686-pae kernel (guests/vmlinuz-pae) with the default initramfs: PAE paging (the
// PDPTE registers, 64-bit entries, 4 KiB pages under 2 MiB directories) in a real guest, with
// the recompiler (`auto`, WebAssembly) as the CLI runs it. Two bugs it caught: a MOV CR3 after
// CR4.OSFXSR changed did not reload the PDPTEs (the MMU saw a CR4 change, not a CR3 load), and
// a page walk of a kernel address passed as a signed int32 landed one page low.
import { describe, expect, it } from "vitest";
import { PROMPT, startLinuxMachine } from "../linux-machine";

describe("Debian's 686-pae kernel", () => {
  it("boots to the shell under PAE paging and runs commands", { timeout: 1_200_000 }, async () => {
    const m = startLinuxMachine({
      kernel: "vmlinuz-pae",
      cmdline: "console=ttyS0 cryptomgr.notests",
      engine: "auto",
      backend: "wasm",
    });
    // A kernel that oopses or panics fails at once instead of spinning to the timeout.
    await Promise.race([m.waitFor(PROMPT, 0), m.waitFor("BUG:", 0), m.waitFor("Kernel panic", 0)]);
    const log = m.transcript();
    expect(log).toContain("Linux version 6.1.0-50-686-pae");
    expect(log).not.toMatch(/BUG:|Oops|Call Trace/);
    expect((m.pc.cpu.state.cr4 >>> 0) & (1 << 5)).not.toBe(0); // CR4.PAE
    const uname = await m.run("uname -r");
    expect(uname).toContain("6.1.0-50-686-pae");
    // Expected value from the host: `echo ringvm | sha256sum`.
    const sha = await m.run("echo ringvm | sha256sum");
    expect(sha).toContain("7b13c957c301ae305b02f26f073a8dbe8d17f24006daa7bd7dd64c06467da863");
    m.pc.sendSerial("poweroff\n");
    expect((await m.ended).reason).toBe("poweroff");
  });
});
