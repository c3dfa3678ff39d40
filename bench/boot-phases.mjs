// The default guest's boot split into phases by kernel log text, and the busybox workload run
// at its prompt, shared by compare.mjs (each emulator's seconds per phase and for the workload)
// and phases.mjs (RingVM's counters per phase and per part of the workload).

/** The prompt /init gives busybox sh (PS1="~ # "): the end of the boot. */
export const PROMPT = "~ # ";
/**
 * Kernel log text that splits the boot into phases, each ending where its text first appears
 * (the default guest's kernel prints them in this order on every emulator): firmware, loader,
 * XZ decompressor and the kernel's setup up to its serial console (console=ttyS0 without
 * earlycon: "Linux version" reaches the port from the log buffer only when the console
 * registers, after setup_arch and the memory and scheduler init); early init (lukewarm code:
 * most of it runs a few hundred times);
 * unpacking the initramfs; the rest of the initcalls; the crypto self-tests (bignum
 * arithmetic); user space up to the prompt.
 */
export const PHASES = [
  ["to console", "Linux version"],
  ["early init", "Trying to unpack rootfs"],
  ["initramfs", "Freeing initrd memory"],
  ["initcalls", "evm: HMAC attrs"],
  ["crypto tests", "clk: Disabling unused clocks"],
  ["user space", PROMPT],
];

/** The shell loop's step count (its output, `loop=LOOP`, is checked). */
export const LOOP = 5000;
/**
 * The fixed workload by part: a name and the command (ending "; "): SHA-256 of 2 MiB of zeros,
 * gzip of 1 MiB of zeros, and a shell loop.
 */
export const WORKLOAD_PARTS = [
  ["sha256sum", "dd if=/dev/zero bs=1024 count=2048 2>/dev/null | sha256sum; "],
  ["gzip", "dd if=/dev/zero bs=1024 count=1024 2>/dev/null | gzip -c | wc -c; "],
  ["shell loop", `i=0; while [ $i -lt ${LOOP} ]; do i=$((i+1)); done; echo loop=$i; `],
];
/** The end marker, computed by the guest shell so the echoed command line does not match it. */
export const WORKLOAD_END = "BENCH-42-DONE";
/** The whole workload as one command line. */
export const WORKLOAD =
  WORKLOAD_PARTS.map(([, command]) => command).join("") + "echo BENCH-$((6*7))-DONE\n";
