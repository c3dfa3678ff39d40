// Boots the default guest (Debian's 686 kernel + busybox initramfs from guests/) with the
// interpreter, runs `uname -a` and a short workload on the serial console, checks the output
// against values known independently of RingVM (the kernel's version string, SHA-256 and gzip
// results computed by the host's coreutils for the same input), and powers off.
import { describe, expect, it } from "vitest";
import { PROMPT, startLinuxMachine } from "../linux-machine";

describe("default guest", () => {
  // About 2e9 guest instructions to the prompt: minutes with the interpreter on a shared host.
  it("boots to a busybox shell, runs commands and powers off", { timeout: 3_600_000 }, async () => {
    const t0 = performance.now();
    const m = startLinuxMachine({ cmdline: "console=ttyS0 quiet cryptomgr.notests" });
    const { pc, ended, run } = m;
    await m.waitFor(PROMPT, 0);
    const bootMs = performance.now() - t0;
    expect(m.transcript()).toContain("RingVM guest: Linux 6.1.0-50-686");

    const uname = await run("uname -a");
    expect(uname).toMatch(
      /Linux ringvm 6\.1\.0-50-686 #1 SMP PREEMPT_DYNAMIC Debian 6\.1\.176-1 .* i686 GNU\/Linux/,
    );
    // Expected values from the host: `echo ringvm | sha256sum`, python's sum(i*i for i < 200).
    const sha = await run("echo ringvm | sha256sum");
    expect(sha).toContain("7b13c957c301ae305b02f26f073a8dbe8d17f24006daa7bd7dd64c06467da863");
    const loop = await run(
      "i=0; s=0; while [ $i -lt 200 ]; do s=$((s+i*i)); i=$((i+1)); done; echo sum=$s",
    );
    expect(loop).toContain("sum=2646700");
    const gz = await run("seq 1 1000 | gzip -c | gzip -dc | md5sum");
    expect(gz).toContain(HOST_MD5_SEQ_1000);
    const workMs = performance.now() - t0 - bootMs;

    pc.sendSerial("poweroff\n");
    const end = await ended;
    expect(end.reason).toBe("poweroff");
    console.log(
      `boot to prompt ${(bootMs / 1000).toFixed(1)} s, workload ${(workMs / 1000).toFixed(1)} s, ${pc.cpu.instructionCount} instructions`,
    );
  });
});

/** `seq 1 1000 | md5sum` on the host. */
const HOST_MD5_SEQ_1000 = "53d025127ae99ab79e8502aae2d9bea6";
