// The default guest's boot split into phases by kernel log text, shared by compare.mjs (each
// emulator's seconds per phase) and phases.mjs (RingVM's counters per phase).

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
