// The port I/O sequence run under QEMU (`-M pc`, no BIOS, from reset) and replayed on
// RingVM's devices. Each `in` contributes its bytes (little-endian) to the debug-console
// output; the QEMU run is the oracle. Kept as plain data so build.mjs (asm generator) and
// the vitest replay read the same list.
const ops = [];
const out = (port, value, width = 1) => ops.push({ op: "out", port, value, width });
const inp = (port, width = 1, note) =>
  ops.push({ op: "in", port, width, ...(note ? { note } : {}) });
const mmioWrite = (address, value) => ops.push({ op: "write", port: address, value, width: 4 });
const mmioRead = (address, note) => ops.push({ op: "read", port: address, width: 4, note });
const cfgAddr = (bdf, offset) => (0x8000_0000 | (bdf << 8) | (offset & 0xfc)) >>> 0;
const cfgRead = (bdf, offset, width = 4, note) => {
  out(0xcf8, cfgAddr(bdf, offset), 4);
  inp(0xcfc + (offset & 3), width, note ?? `cfg ${bdf.toString(16)}:${offset.toString(16)}`);
};
const cfgWrite = (bdf, offset, value, width = 4) => {
  out(0xcf8, cfgAddr(bdf, offset), 4);
  out(0xcfc + (offset & 3), value, width);
};

// --- PCI configuration mechanism #1 ---
out(0xcf8, 0x8000_0000, 4);
inp(0xcf8, 4, "CONFIG_ADDRESS readback");
out(0xcf8, 0xffff_ffff, 4);
inp(0xcf8, 4, "CONFIG_ADDRESS reserved bits");
const HOST = 0x00;
const ISA = 0x08;
const IDE = 0x09;
const PM = 0x0b;
const EMPTY = 0x28;
for (const bdf of [HOST, ISA, IDE, PM, EMPTY])
  for (const offset of [0x00, 0x08, 0x0c, 0x2c, 0x3c]) cfgRead(bdf, offset);
cfgRead(HOST, 0x02, 2, "word read at CFEh");
cfgRead(HOST, 0x03, 1, "byte read at CFFh");
// Read-only identity ignores writes.
cfgWrite(ISA, 0x00, 0xdead_beef);
cfgRead(ISA, 0x00);
// Device-specific power-on values of the three chipset functions, 40h-FCh.
for (const bdf of [HOST, ISA, PM])
  for (let offset = 0x40; offset < 0x100; offset += 4)
    cfgRead(bdf, offset, 4, `power-on ${bdf.toString(16)}:${offset.toString(16)}`);
// i440FX: PAM registers and SMRAM.
cfgRead(HOST, 0x58);
cfgRead(HOST, 0x5c);
cfgWrite(HOST, 0x5a, 0x33, 1);
cfgRead(HOST, 0x58, 4, "PAM1 = 33h");
cfgWrite(HOST, 0x5a, 0x00, 1);
cfgRead(HOST, 0x72, 1, "SMRAM power-on");
// PIIX3 ISA bridge registers.
for (const offset of [0x4c, 0x60, 0x68, 0x6c, 0x70, 0x74, 0x78, 0xa0, 0xa4, 0xa8, 0xac])
  cfgRead(ISA, offset);
cfgWrite(ISA, 0x60, 0x0b0b_0a0a);
cfgRead(ISA, 0x60, 4, "PIRQRC after SeaBIOS routing");
// IDE bus-master BAR4 sizing.
cfgRead(IDE, 0x20, 4, "BAR4 power-on");
cfgWrite(IDE, 0x20, 0xffff_ffff);
cfgRead(IDE, 0x20, 4, "BAR4 size mask");
cfgWrite(IDE, 0x20, 0xc001);
cfgRead(IDE, 0x20, 4, "BAR4 at C000h");
for (const bdf of [IDE, ISA]) cfgRead(bdf, 0x10, 4, "BAR0");
// PIIX4 PM function: PMBA and PMREGMISC, then the PM block as SeaBIOS programs it.
cfgRead(PM, 0x40, 4, "PMBA power-on");
cfgRead(PM, 0x80, 1, "PMREGMISC power-on");
cfgWrite(PM, 0x40, 0xffff_ffff);
cfgRead(PM, 0x40, 4, "PMBA writable bits");
cfgWrite(PM, 0x3c, 9, 1);
cfgWrite(PM, 0x40, 0x601);
cfgWrite(PM, 0x80, 0x01, 1);
cfgRead(PM, 0x3c, 2, "interrupt line 9, pin A");
cfgRead(PM, 0x40, 4, "PMBA = 601h");
inp(0x600, 2, "PMSTS power-on");
inp(0x602, 2, "PMEN power-on");
inp(0x604, 2, "PMCNTRL power-on");
out(0x602, 0xffff, 2);
inp(0x602, 2, "PMEN writable bits");
out(0x602, 0x0000, 2);
out(0x604, 0x0001, 2);
inp(0x604, 2, "PMCNTRL SCI_EN");
out(0x604, 0x0000, 2);

// --- i8042 ---
const kbcStatus = (note) => inp(0x64, 1, note ?? "i8042 status");
const kbcData = (note) => {
  kbcStatus();
  inp(0x60, 1, note ?? "i8042 data");
};
kbcStatus("status at power-on");
out(0x64, 0x20);
kbcData("command byte at power-on");
out(0x64, 0xaa);
kbcData("self test");
kbcStatus("status after self test (SYS)");
out(0x64, 0xab);
kbcData("keyboard interface test");
out(0x64, 0xa9);
kbcData("aux interface test");
out(0x64, 0xd0);
kbcData("output port");
// Keyboard, no translation, interrupts off (we poll).
out(0x64, 0x60);
out(0x60, 0x00);
kbcStatus("status after command byte write");
out(0x60, 0xff);
kbcData("kbd reset ACK");
kbcData("kbd BAT");
out(0x60, 0xf2);
kbcData();
kbcData();
kbcData();
out(0x60, 0xf0);
kbcData();
out(0x60, 0x00);
kbcData();
kbcData("scan code set");
out(0x60, 0xed);
kbcData();
out(0x60, 0x02);
kbcData();
out(0x60, 0xee);
kbcData("echo");
out(0x60, 0xf4);
kbcData();
// Translation on.
out(0x64, 0x60);
out(0x60, 0x40);
out(0x60, 0xf2);
kbcData();
kbcData();
kbcData("translated ID");
out(0x60, 0xf0);
kbcData();
out(0x60, 0x00);
kbcData();
kbcData("translated scan code set");
// Mouse through D4h.
out(0x64, 0xa8);
out(0x64, 0x20);
kbcData("command byte after A8h");
out(0x64, 0xd4);
out(0x60, 0xf2);
kbcData("mouse ACK");
kbcData("mouse ID");
for (const rate of [200, 100, 80]) {
  out(0x64, 0xd4);
  out(0x60, 0xf3);
  kbcData();
  out(0x64, 0xd4);
  out(0x60, rate);
  kbcData();
}
out(0x64, 0xd4);
out(0x60, 0xf2);
kbcData();
kbcData("IntelliMouse ID");
out(0x64, 0xd4);
out(0x60, 0xe9);
kbcData();
kbcData("mouse status byte");
kbcData("mouse resolution");
kbcData("mouse rate");
out(0x64, 0xd4);
out(0x60, 0xff);
kbcData();
kbcData();
kbcData();
out(0x64, 0xd3);
out(0x60, 0x5a);
kbcData("aux loopback");
out(0x64, 0xd2);
out(0x60, 0x1c);
kbcData("kbd loopback");
out(0x64, 0xa7);
out(0x64, 0x20);
kbcData("command byte after A7h");
out(0x64, 0xad);
out(0x64, 0x20);
kbcData("command byte after ADh");
out(0x64, 0xae);
out(0x64, 0x20);
kbcData("command byte after AEh");
out(0x64, 0xdd);
out(0x64, 0xd0);
kbcData("output port after DDh");
out(0x64, 0xdf);
out(0x64, 0xd0);
kbcData("output port after DFh");
out(0x64, 0xd1);
out(0x60, 0xdd);
out(0x64, 0xd0);
kbcData("output port after D1h DDh");
out(0x64, 0xd1);
out(0x60, 0xdf);

// --- local APIC (FEE00000h) and IOAPIC (FEC00000h), interrupts off ---
const APIC = 0xfee0_0000;
const apicRead = (offset, note) => mmioRead(APIC + offset, note ?? `apic ${offset.toString(16)}`);
for (const offset of [0x20, 0x30, 0x80, 0xa0, 0xd0, 0xe0, 0xf0, 0x280, 0x300, 0x310])
  apicRead(offset);
for (const offset of [0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x3e0])
  apicRead(offset, `apic LVT/timer ${offset.toString(16)} power-on`);
mmioWrite(APIC + 0xf0, 0x1ff);
apicRead(0xf0, "SVR enabled");
for (const offset of [0x320, 0x350, 0x360, 0x370]) {
  mmioWrite(APIC + offset, 0xffff_ffff);
  apicRead(offset, `LVT ${offset.toString(16)} writable bits`);
}
mmioWrite(APIC + 0x350, 0x0001_0700);
mmioWrite(APIC + 0x360, 0x0001_0400);
mmioWrite(APIC + 0x370, 0x0001_0000);
mmioWrite(APIC + 0x320, 0x0001_0000);
mmioWrite(APIC + 0x3e0, 0xffff_ffff);
apicRead(0x3e0, "divide configuration writable bits");
mmioWrite(APIC + 0x3e0, 0x0b);
mmioWrite(APIC + 0xd0, 0xffff_ffff);
apicRead(0xd0, "LDR writable bits");
mmioWrite(APIC + 0xe0, 0x0000_0000);
apicRead(0xe0, "DFR cluster");
mmioWrite(APIC + 0xe0, 0xffff_ffff);
mmioWrite(APIC + 0x80, 0x23);
apicRead(0x80, "TPR");
apicRead(0xa0, "PPR from TPR");
mmioWrite(APIC + 0x80, 0x00);
mmioWrite(APIC + 0x310, 0x0000_0000);
mmioWrite(APIC + 0x300, 0x0004_0041); // fixed self IPI, vector 41h, interrupts are off
apicRead(0x220, "IRR 40h-5Fh after self IPI");
apicRead(0x1a0, "TMR 40h-5Fh (edge)");
apicRead(0x300, "ICR low after send");
mmioWrite(APIC + 0x300, 0x0004_8051); // level-triggered self IPI, vector 51h
apicRead(0x220, "IRR after level self IPI");
apicRead(0x1a0, "TMR after level self IPI");
mmioWrite(APIC + 0x280, 0);
apicRead(0x280, "ESR before errors");
mmioWrite(APIC + 0x300, 0x0004_0005); // illegal vector
mmioWrite(APIC + 0x280, 0);
apicRead(0x280, "ESR after send illegal vector");
mmioWrite(APIC + 0x280, 0);
apicRead(0x280, "ESR cleared");
mmioWrite(APIC + 0x20, 0x0f00_0000);
apicRead(0x20, "ID writable bits");
mmioWrite(APIC + 0x20, 0x0000_0000);
const IOAPIC = 0xfec0_0000;
const ioRead = (index, note) => {
  mmioWrite(IOAPIC, index);
  mmioRead(IOAPIC + 0x10, note ?? `ioapic ${index.toString(16)}`);
};
const ioWrite = (index, value) => {
  mmioWrite(IOAPIC, index);
  mmioWrite(IOAPIC + 0x10, value);
};
ioRead(0x00, "IOAPIC ID");
ioRead(0x01, "IOAPIC version");
ioRead(0x10, "RTE 0 low power-on");
ioRead(0x11, "RTE 0 high power-on");
ioRead(0x3e, "RTE 23 low power-on");
ioWrite(0x12, 0xffff_ffff);
ioRead(0x12, "RTE 1 low writable bits");
ioWrite(0x13, 0xffff_ffff);
ioRead(0x13, "RTE 1 high writable bits");
ioWrite(0x00, 0xffff_ffff);
ioRead(0x00, "IOAPIC ID writable bits");

export default ops;
