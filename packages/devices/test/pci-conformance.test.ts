// The shared conformance suite over the PCI bus with the i440FX and PIIX3 functions.
import { I440fxHostBridge, PciBus, Piix3IsaBridge } from "@ringvm/devices/pci";
import { describeDeviceConformance } from "./conformance";

describeDeviceConformance({
  name: "pci (i440FX + PIIX3)",
  create: () => {
    const bus = new PciBus();
    new I440fxHostBridge(bus);
    new Piix3IsaBridge(bus);
    bus.register(1, 1, {
      vendorId: 0x8086,
      deviceId: 0x7010,
      classCode: 1,
      subclass: 1,
      bars: [undefined, undefined, undefined, undefined, { kind: "io", size: 16 }],
    });
    return bus;
  },
  exercise: (_bus, board) => {
    board.io.out(0xcf8, 0x8000_0960, 4); // 00:01.1 BAR4
    board.io.out(0xcf8, 0x8000_0920, 4);
    board.io.out(0xcfc, 0xc001, 4);
    board.io.out(0xcf8, 0x8000_0904, 4);
    board.io.out(0xcfc, 0x0001, 2);
    board.io.out(0xcf8, 0x8000_0058, 4); // PAM1
    board.io.out(0xcfd, 0x33, 1);
    board.io.out(0xcf8, 0x8000_0860, 4); // PIRQ routes
    board.io.out(0xcfc, 0x0b0b_0a0a, 4);
  },
  probe: (bus) => [
    bus.readConfig(1, 1, 0x20, 4),
    bus.readConfig(0, 0, 0x58, 4),
    bus.readConfig(1, 0, 0x60, 4),
    bus.functionAt(1, 1)?.barBase(4),
  ],
});
