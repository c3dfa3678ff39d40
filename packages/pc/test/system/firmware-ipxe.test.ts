// Debian's iPXE CD (guests/ipxe.iso.gz): SeaBIOS boots ISOLINUX, which loads iPXE; iPXE
// switches between real and protected mode for every BIOS call, gathers entropy by timing
// the RTC's periodic interrupt with RDTSC (a real-mode handler that keeps its flag next to its
// own code), finds no network card, and hands back to SeaBIOS. Expected text: QEMU 7.2
// (`qemu-system-i386 -nographic -nic none -bios bios.bin -cdrom ipxe.iso`) prints the same.
import { describe, expect, it } from "vitest";
import { guestFile } from "../firmware-images";
import { secondsSince, startFirmwareMachine } from "../firmware-machine";

describe("iPXE from Debian's CD", () => {
  it(
    "starts, finds no network device and returns to the BIOS",
    { timeout: 1_800_000 },
    async () => {
      const t0 = performance.now();
      const m = startFirmwareMachine({
        cdrom: guestFile("ipxe.iso.gz", true),
        bootOrder: ["cdrom"],
        engine: "auto",
      });
      await m.waitFor("Loading ipxe.krn... ok");
      await m.waitFor("iPXE initialising devices...ok");
      await m.waitFor("Open Source Network Boot Firmware");
      await m.waitFor("No more network devices");
      await m.waitFor("No bootable device");
      // The loop that waits for the RTC's interrupt writes its flag beside its code: the
      // recompiler keeps those blocks (before: each write invalidated them, at ~2 MIPS).
      expect(m.pc.recompiler?.stats.codeWritesBeside).toBeGreaterThan(1000);
      m.pc.stop();
      console.log(`ipxe: back in the BIOS after ${secondsSince(t0)} s`);
    },
  );
});
