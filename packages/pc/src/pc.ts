// The PC board: one i440FX/PIIX3-style machine built from a config. The only place that
// knows which chip sits at which port, IRQ and address.
import type { Device, DeviceContext, IrqLine, Logger } from "@ringvm/bus";
import { Cpu, SegReg, ESI } from "@ringvm/cpu";
import { Piix4Pm, PIIX4_PM_PCI } from "@ringvm/devices/acpi";
import { LocalApic } from "@ringvm/devices/apic";
import { PiixIde, PIIX3_IDE_PCI, AtaDisk, AtapiCdrom } from "@ringvm/devices/ata";
import type { BlockDevice } from "@ringvm/devices/disk";
import { I8237Dma } from "@ringvm/devices/dma";
import { FloppyDrive, I82077Fdc } from "@ringvm/devices/floppy";
import { I8042 } from "@ringvm/devices/i8042";
import { IoApic } from "@ringvm/devices/ioapic";
import {
  ConfigRegisterBlock,
  I440fxHostBridge,
  PciBus,
  Piix3IsaBridge,
  PIIX3_PIRQRC,
} from "@ringvm/devices/pci";
import { I8259Pic } from "@ringvm/devices/pic";
import { I8254Pit } from "@ringvm/devices/pit";
import { DebugConsole, PostCodePort, SystemControlPortA } from "@ringvm/devices/misc";
import { Mc146818Rtc } from "@ringvm/devices/rtc";
import { Uart16550 } from "@ringvm/devices/uart";
import {
  EventScheduler,
  Hypervisor,
  VirtualClock,
  type HostPlatform,
  type RunEnd,
} from "@ringvm/hypervisor";
import {
  Mmu,
  PhysicalSpace,
  PortBus,
  createIoBus,
  createWasmGuestMemory,
  type GuestMemoryLayout,
} from "@ringvm/memory";
import {
  createEngine,
  formatRecompilerStats,
  type EngineKind,
  type Recompiler,
} from "@ringvm/recompiler";
import {
  ACPI_PM_BASE,
  ACPI_RSDP_FILE,
  ACPI_S5_TYPE,
  ACPI_TABLES_FILE,
  buildAcpiFiles,
  buildAcpiTables,
  DEFAULT_PIRQ_IRQS,
  IO_APIC_BASE,
  SCI_IRQ,
  TABLE_LOADER_FILE,
} from "./acpi";
import { WaitingPorts } from "./bus-wait";
import { buildE820Map, type E820Entry } from "./e820";
import { FwCfg, FwCfgKey } from "./fw-cfg";
import { BOOT_CS, BOOT_DS, loadLinux, type LinuxBootPlan } from "./linux-boot";
import { isMultiboot, loadMultiboot } from "./multiboot";
import { encodeTableLoader } from "./table-loader";

/** A boot device for firmware boot (QEMU `-boot` letters: a floppy, c disk, d CD-ROM). */
export type BootDevice = "floppy" | "disk" | "cdrom";

/** Everything that describes one machine. Files are passed as bytes or block devices. */
/** Where a byte stream from the guest goes (COM1, port E9h). */
export interface SerialSink {
  write(data: Uint8Array): void;
}

export interface PcConfig {
  /** Guest RAM in bytes (default 128 MiB). */
  readonly memorySize?: number;
  /** System BIOS image (SeaBIOS bios.bin) for firmware boot. */
  readonly bios?: Uint8Array;
  /** VGA option ROM, mapped at 0xC0000 (firmware boot). */
  readonly vgaBios?: Uint8Array;
  /** A bzImage or Multiboot kernel: direct boot without firmware. */
  readonly kernel?: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline?: string;
  readonly hda?: BlockDevice;
  readonly hdb?: BlockDevice;
  /** A CD image (2048-byte sectors) on the secondary master. */
  readonly cdrom?: BlockDevice;
  readonly fda?: BlockDevice;
  readonly bootOrder?: readonly BootDevice[];
  /** Where COM1 output goes (omit for none). */
  readonly serial?: SerialSink;
  /** Where port E9h (debugcon) output goes. */
  readonly debugcon?: SerialSink;
  /** Guest time from the instruction count: the same input gives the same output. */
  readonly deterministic?: boolean;
  /**
   * How guest time runs when not `deterministic`: `virtual` (default) derives it from the
   * instruction count like deterministic mode but sleeps while the guest idles, so a slow
   * interpreter is not flooded with timer interrupts and an idle guest costs no host CPU;
   * `realtime` follows the host clock.
   */
  readonly clock?: "virtual" | "realtime";
  /**
   * Guest nanoseconds per retired instruction of the instruction-count clocks (`deterministic`
   * and `virtual`): the guest's nominal speed. Default DETERMINISTIC_NS_PER_INSTRUCTION (10, a
   * 100 MIPS guest, about the interpreter's speed) when deterministic or with the interpreter
   * engine, else VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED. A whole number keeps the recompiler's
   * inline RDTSC.
   */
  readonly nsPerInstruction?: number;
  /**
   * Guest nanoseconds each port access the CPU makes waits on the bus, with the
   * instruction-count clocks (a whole number; default PORT_ACCESS_NS; 0: none). Guests poll
   * ports for time to pass (PIT and PM-timer calibration, port 80h delays): on a PC each poll
   * takes an I/O cycle of about a microsecond, which the instruction count alone does not see.
   */
  readonly portAccessNs?: number;
  /** Wall-clock time shown by the RTC at power-on (ms since the epoch). Default: now, or 2000-01-01 when deterministic. */
  readonly startTime?: number;
  readonly host?: HostPlatform;
  readonly log?: Logger;
  /** Execution engine: the interpreter (default), the recompiler, or `auto` (hot code only). */
  readonly engine?: EngineKind;
  /**
   * What the recompiler generates: WebAssembly (default with a recompiling engine, where the host
   * has it), for which guest RAM, the TLB and the registers live in one WebAssembly.Memory, or
   * JavaScript functions.
   */
  readonly backend?: "js" | "wasm";
  /**
   * `auto` only: entries of a cold block before it is translated (default: the recompiler's
   * DEFAULT_HOT_THRESHOLD_WASM with the wasm back end, else DEFAULT_HOT_THRESHOLD). Lower
   * translates lukewarm code too, at a compile cost per region.
   */
  readonly hotThreshold?: number;
  /**
   * `auto` with the wasm back end: runs after which a cold block runs in the recompiler's dense
   * tier (WebAssembly over its decoded slots; default the recompiler's DEFAULT_DENSE_RUNS, 1:
   * from its first run; 0: never).
   */
  readonly denseRuns?: number;
  /**
   * The wasm back end with paging on: memory operands outside a region's loops test the TLB
   * inline and leave for the interpreter where it refuses, rather than call a slow path (the
   * recompiler's `directMemory`, default true; false: translation memos for every operand).
   */
  readonly directMemory?: boolean;
  /**
   * Direct Linux boot: unpack an XZ kernel payload on the host (default true); false runs the
   * kernel's own decompressor in the guest, as under firmware (the benchmark compares that way).
   */
  readonly decompressOnHost?: boolean;
}

/**
 * Guest ns per instruction of the deterministic clock, and of the `virtual` one with the
 * interpreter (about its speed, so guest time keeps near the wall clock's).
 */
export const DETERMINISTIC_NS_PER_INSTRUCTION = 10;
/**
 * Guest ns per instruction of the `virtual` clock with a recompiling engine: about the speed it
 * reaches (0.8 G instructions per second over a boot, 1-2 G in hot code). At 10 ns guest time
 * ran 5-20x ahead of the wall clock, and the guest's 250 Hz tick came thousands of times per host
 * second, each a timer event, two slices and the kernel's tick path: paired boots against 10 ns
 * (bench/README.md, stop 64) took 4.6 % less time, the crypto self-tests 19 % and the initramfs
 * 32 % less, early init 18 % more (the guest's calibrations and timer checks wait fixed spans of
 * guest time, now more instructions). At 1 ns those waits cost more than the ticks save (boot
 * 4.1 % slower than at 2 ns, early init 31 %, initcalls 19 %).
 */
export const VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED = 2;

/**
 * Default `PcConfig.portAccessNs`: an ISA or LPC I/O cycle (the kernel's port 80h write is its
 * microsecond delay).
 */
export const PORT_ACCESS_NS = 1000;

/** Default RAM: enough for the Debian 686 kernel and its initramfs. */
export const DEFAULT_MEMORY_SIZE = 128 * 1024 * 1024;

const COM1_BASE = 0x3f8;
const COM1_IRQ = 4;
/**
 * PCI slot of the PIIX3/PIIX4 functions (QEMU's i440FX layout: 00:01.0 ISA, 00:01.1 IDE,
 * 00:01.3 ACPI PM).
 */
const PIIX3_DEVICE = 1;
const PM_FUNCTION = 3;
/** PIIX4 PM configuration: PMBA (40h) and PMREGMISC (80h) bit 0, PM I/O space enable. */
const PIIX4_PMBA = 0x40;
const PIIX4_PMREGMISC = 0x80;

/** RSDP and tables in the 0xF0000 segment, where the kernel scans for the RSDP. */
const ACPI_TABLES_BASE = 0xf_0000;

const quietLog: Logger = { debug: () => undefined, warn: () => undefined };

/**
 * A running (or ready-to-run) PC. Build it with {@link createPc}.
 *
 * @example
 * const pc = createPc({ kernel, initrd, cmdline: "console=ttyS0", serial: { write: (b) => process.stdout.write(b) } });
 * const end = await pc.start(); // { reason: "poweroff" } after the guest powers off
 */
export class Pc {
  readonly config: PcConfig;
  readonly physical: PhysicalSpace;
  readonly ports: PortBus;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  readonly clock: VirtualClock;
  readonly scheduler: EventScheduler;
  readonly hypervisor: Hypervisor;
  readonly pic: I8259Pic;
  /** The CPU's local APIC (FEE00000h); the PIC reaches the CPU through its LINT0. */
  readonly lapic: LocalApic;
  /** The 82093AA I/O APIC (FEC00000h): ISA IRQ n on pin n, except IRQ 0 on pin 2. */
  readonly ioapic: IoApic;
  readonly pit: I8254Pit;
  readonly rtc: Mc146818Rtc;
  /** COM1 (3F8h, IRQ 4). */
  readonly serial: Uart16550;
  /** Host tap on COM1 output, besides `config.serial` (the CLI's --exit-on watches it). */
  onSerialOutput: ((data: Uint8Array) => void) | undefined;
  readonly i8042: I8042;
  readonly pci: PciBus;
  readonly ide: PiixIde;
  readonly dma: I8237Dma;
  readonly fdc: I82077Fdc;
  readonly fwCfg: FwCfg;
  /**
   * The PIIX4 ACPI PM function (00:01.3): PM1 blocks, PM timer and SCI at the PMBA the
   * firmware (or, for a direct boot, the board) programs; the FADT points there.
   */
  readonly acpiPm: Piix4Pm;
  readonly e820: readonly E820Entry[];
  /** Set after a direct Linux boot was prepared. */
  readonly linuxBoot: LinuxBootPlan | undefined;
  /** The recompiler when `engine` is `recompiler` or `auto`. */
  readonly recompiler: Recompiler | undefined;
  private readonly devices: Device[] = [];
  /** The i8042 output port's and port 92h's A20 gates: A20 is their OR. */
  private a20Keyboard = true;
  private a20Port92 = false;
  /** A reset was requested and not yet performed: the CPU runs no further instruction. */
  private isResetPending = false;

  /**
   * The recompiler's back end: the configured one, else WebAssembly when a recompiling engine
   * runs and the host has it (the interpreter alone keeps RAM in a plain ArrayBuffer).
   */
  private get backend(): "js" | "wasm" {
    const hostHasWasm = (globalThis as { WebAssembly?: unknown }).WebAssembly !== undefined;
    return this.config.backend ?? (hostHasWasm && this.recompiles ? "wasm" : "js");
  }

  /** Whether the engine translates code (`recompiler` or `auto`), not the interpreter alone. */
  private get recompiles(): boolean {
    return (this.config.engine ?? "interpreter") !== "interpreter";
  }

  /** `PcConfig.nsPerInstruction`'s default (see there). */
  private get defaultNsPerInstruction(): number {
    return this.config.deterministic === true || !this.recompiles
      ? DETERMINISTIC_NS_PER_INSTRUCTION
      : VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED;
  }

  constructor(config: PcConfig) {
    this.config = config;
    const log = config.log ?? quietLog;
    const ramSize = config.memorySize ?? DEFAULT_MEMORY_SIZE;
    const wasm: GuestMemoryLayout | undefined =
      this.backend === "wasm" ? createWasmGuestMemory(ramSize) : undefined;
    this.physical = new PhysicalSpace({ ramSize, ...(wasm !== undefined ? { wasm } : {}) });
    this.ports = new PortBus({ log });
    const io = createIoBus(this.ports, this.physical);
    this.mmu = new Mmu(this.physical);
    this.clock = new VirtualClock({
      mode:
        config.deterministic === true || config.clock !== "realtime" ? "deterministic" : "realtime",
      nsPerInstruction: config.nsPerInstruction ?? this.defaultNsPerInstruction,
    });
    this.scheduler = new EventScheduler();

    this.pic = new I8259Pic();
    const pic = this.pic;
    this.lapic = new LocalApic({
      extInt: pic,
      onEoi: (vector) => this.ioapic.eoi(vector),
      onNmi: () => this.cpu.nmi(),
      onOutputChange: (isAsserted) => {
        if (isAsserted) this.hypervisor.wake();
      },
    });
    const lapic = this.lapic;
    this.ioapic = new IoApic({
      base: IO_APIC_BASE,
      // One CPU: every fixed, lowest-priority, NMI or ExtINT message is for it.
      deliver: (vector, mode, isLevel) => lapic.deliver(vector, mode, isLevel),
    });
    const ioapic = this.ioapic;
    const irqLines: IrqLine[] = [];
    const context: DeviceContext = {
      io,
      irq: (line: number): IrqLine =>
        (irqLines[line] ??= new SplitIrqLine(pic.line(line), ioapic.input(ioApicPin(line)))),
      clock: this.clock,
      scheduler: this.scheduler,
      log,
      dma: this.physical,
    };

    const portAccessNs = config.portAccessNs ?? PORT_ACCESS_NS;
    if (!Number.isInteger(portAccessNs) || portAccessNs < 0) {
      throw new RangeError(`portAccessNs must be a whole number of ns, not ${portAccessNs}`);
    }
    this.cpu = new Cpu({
      memory: this.mmu,
      io:
        portAccessNs > 0
          ? new WaitingPorts(this.ports, () => this.hypervisor.busWait(portAccessNs))
          : this.ports,
      interrupts: lapic,
      clock: this.clock,
      // The decode cache watches its code pages instead of counting every store.
      codeTranslator: this.mmu,
      codePages: this.physical,
      ...(wasm !== undefined
        ? {
            registers: new Int32Array(wasm.memory.buffer, wasm.registersOffset, 8),
            xmm: new Uint32Array(wasm.memory.buffer, wasm.xmmOffset, 32),
          }
        : {}),
    });
    this.clock.attach(this.cpu);
    // IA32_TSC_DEADLINE reaches the local APIC's timer (CPUID then reports TSC-deadline mode).
    this.cpu.state.tscDeadline = lapic;
    this.hypervisor = new Hypervisor({
      cpu: this.cpu,
      clock: this.clock,
      scheduler: this.scheduler,
      ...(config.host !== undefined ? { host: config.host } : {}),
      // Deterministic runs jump over idle time; virtual-time runs wait for the wall clock.
      idle: config.deterministic === true ? "jump" : "pace",
      // A reset requested before the triple fault wins: the machine resets.
      onShutdown: () => (this.isResetPending ? "reset" : "stop"),
      onReset: () => this.reset(),
    });
    const hv = this.hypervisor;
    this.recompiler = this.selectEngine(config.engine ?? "interpreter", lapic);
    pic.onOutputChange = (isAsserted) => {
      lapic.extIntChanged();
      if (isAsserted) hv.wake();
    };

    this.pit = new I8254Pit();
    const deterministic = config.deterministic === true;
    this.rtc = new Mc146818Rtc({
      startTime: config.startTime ?? (deterministic ? Date.UTC(2000, 0, 1) : Date.now()),
    });
    // Characters leave at once (no baud pacing): the host terminal is never the bottleneck.
    this.serial = new Uart16550({
      base: COM1_BASE,
      irq: COM1_IRQ,
      timing: "immediate",
      onTransmit: (bytes) => {
        config.serial?.write(bytes);
        this.onSerialOutput?.(bytes);
      },
    });
    // A host terminal is always there: CTS, DSR and DCD asserted.
    this.serial.setModemInputs({ cts: true, dsr: true, dcd: true });
    this.i8042 = new I8042({
      onA20: (isEnabled) => {
        this.a20Keyboard = isEnabled;
        this.updateA20();
      },
      onReset: () => this.requestReset(),
    });
    const debugcon = config.debugcon;
    const systemPorts: Device[] = [
      new SystemControlPortA({
        onA20Change: (isEnabled) => {
          this.a20Port92 = isEnabled;
          this.updateA20();
        },
        onReset: () => this.requestReset(),
      }),
      new PostCodePort(),
      new DebugConsole(debugcon !== undefined ? { onOutput: (b) => debugcon.write(b) } : {}),
    ];
    this.pci = new PciBus({ onReset: () => this.requestReset() });
    new I440fxHostBridge(this.pci, {
      onPam: (index, value) => this.physical.setPamRegister(index, value),
    });
    const isa = new Piix3IsaBridge(this.pci, { device: PIIX3_DEVICE });
    this.ide = new PiixIde({
      primary: [drive(config.hda), drive(config.hdb)],
      secondary: [config.cdrom !== undefined ? new AtapiCdrom(config.cdrom) : undefined, undefined],
    });
    const ide = this.ide;
    // The IDE function appears on the bus only with a drive attached: a guest without disks
    // then skips loading and probing the ATA drivers (the legacy ports answer "no device").
    if (config.hda !== undefined || config.hdb !== undefined || config.cdrom !== undefined) {
      this.pci.register(PIIX3_DEVICE, 1, {
        vendorId: PIIX3_IDE_PCI.vendorId,
        deviceId: PIIX3_IDE_PCI.deviceId,
        classCode: PIIX3_IDE_PCI.classCode,
        subclass: PIIX3_IDE_PCI.subclass,
        progIf: PIIX3_IDE_PCI.progIf,
        // IDETIM (40h, 42h) and the other timing registers: storage the guest programs.
        deviceSpecific: new ConfigRegisterBlock([
          { offset: PIIX3_IDE_PCI.idetimPrimary, width: 2, value: 0, writable: 0xf3ff },
          { offset: PIIX3_IDE_PCI.idetimSecondary, width: 2, value: 0, writable: 0xf3ff },
          { offset: 0x44, width: 1, value: 0, writable: 0xff }, // SIDETIM
        ]),
        bars: [
          undefined,
          undefined,
          undefined,
          undefined,
          {
            kind: "io",
            size: PIIX3_IDE_PCI.busMasterSize,
            onMap: (base) => ide.mapBusMaster(base),
          },
        ],
      });
    }
    this.dma = new I8237Dma();
    this.fdc = new I82077Fdc({
      drives: [new FloppyDrive(config.fda), new FloppyDrive()],
      dma: this.dma.channel(2),
    });
    this.fwCfg = new FwCfg();
    this.acpiPm = new Piix4Pm({
      onPowerOff: () => hv.requestPowerOff(),
      // S1-S4 are not modelled (and not declared in the DSDT): such requests are ignored.
      softOffType: ACPI_S5_TYPE,
      sciIrq: SCI_IRQ,
    });
    this.pci.register(PIIX3_DEVICE, PM_FUNCTION, {
      ...PIIX4_PM_PCI,
      deviceSpecific: this.acpiPm.pciConfig,
    });

    this.devices.push(
      pic,
      lapic,
      ioapic,
      this.pit,
      this.rtc,
      this.serial,
      this.i8042,
      ...systemPorts,
      this.pci,
      isa,
      this.ide,
      this.dma,
      this.fdc,
      this.fwCfg,
      this.acpiPm,
    );
    for (const device of this.devices) device.attach(context);

    const biosRomSize = config.kernel === undefined ? (config.bios?.length ?? 0) : 0;
    this.e820 = buildE820Map({ ramSize, biosRomSize });
    const below4g = Math.min(ramSize, 0xe000_0000);
    this.rtc.configure({
      memoryBelow4G: below4g,
      memoryAbove4G: 0,
      floppyTypes: [config.fda !== undefined ? 4 : 0, 0],
      hardDisks: [config.hda !== undefined, config.hdb !== undefined],
      hasFpu: true,
      hasPs2Mouse: true,
      bootOrder: config.bootOrder ?? defaultBootOrder(config),
    });
    this.fwCfg.setU64(FwCfgKey.RamSize, ramSize);
    this.fwCfg.setU16(FwCfgKey.NbCpus, 1);
    this.fwCfg.setU16(FwCfgKey.MaxCpus, 1);
    this.fwCfg.setE820(this.e820.filter((e) => e.base >= 0x10_0000 || e.type === 1));

    this.linuxBoot = undefined;
    if (config.kernel !== undefined) {
      if (isMultiboot(config.kernel)) {
        this.enterMultiboot(config);
      } else {
        const plan = loadLinux(this.physical, {
          kernel: config.kernel,
          ...(config.initrd !== undefined ? { initrd: config.initrd } : {}),
          cmdline: config.cmdline ?? "",
          e820: this.e820,
          ...(config.decompressOnHost !== undefined
            ? { decompressOnHost: config.decompressOnHost }
            : {}),
        });
        this.linuxBoot = plan;
        this.configureLikeFirmware();
        this.installAcpiTables(below4g);
        this.enterProtectedMode(plan.gdtBase, plan.gdtLimit, plan.entry);
        this.cpu.setReg32(ESI, plan.bootParams);
      }
    } else if (config.bios !== undefined) {
      this.physical.mapBios(config.bios);
      // No VGA device on this board yet: SeaBIOS's serial console (sercon) shows its screen
      // output on COM1, as QEMU arranges with -nographic.
      const sercon = new Uint8Array(2);
      new DataView(sercon.buffer).setUint16(0, COM1_BASE, true);
      this.fwCfg.addFile("etc/sercon-port", sercon);
      // The ACPI tables as QEMU hands them to SeaBIOS, which then builds none of its own.
      const acpi = buildAcpiFiles({ ramTop: below4g, pirqIrqs: DEFAULT_PIRQ_IRQS });
      this.fwCfg.addFile(ACPI_RSDP_FILE, acpi.rsdp);
      this.fwCfg.addFile(ACPI_TABLES_FILE, acpi.tables);
      this.fwCfg.addFile(TABLE_LOADER_FILE, encodeTableLoader(acpi.commands));
      if (config.vgaBios !== undefined)
        this.physical.mapRom(0xc_0000, padRom(config.vgaBios), "vgabios");
    } else {
      throw new Error("PcConfig needs a kernel (direct boot) or a BIOS image (firmware boot)");
    }
  }

  /** Installs the chosen engine in the run loop; the interpreter is the CPU itself. */
  private selectEngine(kind: EngineKind, interrupts: LocalApic): Recompiler | undefined {
    if (kind === "interpreter") return undefined;
    const engine = createEngine(kind, {
      cpu: this.cpu,
      mmu: this.mmu,
      physical: this.physical,
      interrupts,
      backend: this.backend,
      ...(this.config.hotThreshold !== undefined ? { hotThreshold: this.config.hotThreshold } : {}),
      ...(this.config.denseRuns !== undefined ? { denseRuns: this.config.denseRuns } : {}),
      ...(this.config.directMemory !== undefined ? { directMemory: this.config.directMemory } : {}),
    });
    if (engine === this.cpu) return undefined;
    const recompiler = engine as Recompiler;
    this.hypervisor.setEngine(recompiler);
    return recompiler;
  }

  /** The recompiler's `--stats` lines (blocks, why code was interpreted), if one runs. */
  engineStats(): string | undefined {
    return this.recompiler === undefined ? undefined : formatRecompilerStats(this.recompiler.stats);
  }
  /** Runs the machine until it powers off, stops, triple-faults (stop) or fails. */
  start(): Promise<RunEnd> {
    return this.hypervisor.start();
  }

  /** Ends {@link start} with `stopped`. */
  stop(): void {
    this.hypervisor.stop();
  }

  /** Host → guest bytes on COM1 (terminal input), delivered between guest slices. */
  sendSerial(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.hypervisor.post(() => this.serial.receive(bytes));
  }

  /**
   * A reset request (i8042 FEh, CF9h, port 92h bit 0): the CPU executes no further
   * instruction (it is parked in HLT with interrupts and NMIs shut out, which ends the run
   * slice), and the hypervisor resets the board at the slice's exit, before it would act on
   * a triple fault of the same slice.
   */
  private requestReset(): void {
    this.isResetPending = true;
    const state = this.cpu.state;
    state.halted = true;
    state.flags &= ~EFLAGS_IF;
    state.nmiPending = false;
    this.hypervisor.requestReset();
  }

  private updateA20(): void {
    this.mmu.setA20(this.a20Keyboard || this.a20Port92);
  }

  /** Power-on reset of every device and the CPU (keyboard controller, CF9h, port 92h). */
  reset(): void {
    this.isResetPending = false;
    for (const device of this.devices) device.reset("hardware");
    // The i8042's output port comes out of reset with A20 enabled; port 92h keeps bit 1.
    this.a20Keyboard = true;
    this.updateA20();
    this.cpu.reset();
    this.lapic.setBaseMsr(this.cpu.state.apicBase);
    if (this.config.kernel !== undefined) {
      // A direct-booted kernel has no firmware to come back to: a reset ends the run.
      this.hypervisor.stop();
    }
  }

  /**
   * Without firmware, the board provides the ACPI tables itself in the BIOS segment (RAM here,
   * reserved in the E820 map): enough for the kernel to find the PM1 control block and power off.
   */
  private installAcpiTables(ramTop: number): void {
    this.physical.setShadow(0xf_0000, 0x1_0000, true, true);
    this.physical.writeBytes(
      ACPI_TABLES_BASE,
      buildAcpiTables(ACPI_TABLES_BASE, { ramTop, pirqIrqs: DEFAULT_PIRQ_IRQS }),
    );
  }

  /**
   * What SeaBIOS does to the chipset before it boots a kernel, for a direct boot: PIRQA#-D#
   * steered to IRQ 10, 10, 11, 11 (the routes the DSDT's _PRT names), both IDE channels'
   * legacy decode enabled (IDETIM bit 15) and the PM block at 600h (pciinit.c
   * piix4_pm_config_setup: PMBA, PMREGMISC).
   */
  private configureLikeFirmware(): void {
    this.pci.writeConfig(PIIX3_DEVICE, PM_FUNCTION, PIIX4_PMBA, 4, ACPI_PM_BASE | 1);
    this.pci.writeConfig(PIIX3_DEVICE, PM_FUNCTION, PIIX4_PMREGMISC, 1, 1);
    DEFAULT_PIRQ_IRQS.forEach((irq, pirq) =>
      this.pci.writeConfig(PIIX3_DEVICE, 0, PIIX3_PIRQRC + pirq, 1, irq),
    );
    if (this.pci.functionAt(PIIX3_DEVICE, 1) !== undefined) {
      const enable = PIIX3_IDE_PCI.idetimDecodeEnable;
      this.pci.writeConfig(PIIX3_DEVICE, 1, PIIX3_IDE_PCI.idetimPrimary, 2, enable);
      this.pci.writeConfig(PIIX3_DEVICE, 1, PIIX3_IDE_PCI.idetimSecondary, 2, enable);
    }
  }

  /** Flat 32-bit protected mode with paging and interrupts off (Linux and Multiboot entry). */
  private enterProtectedMode(gdtBase: number, gdtLimit: number, entry: number): void {
    const cpu = this.cpu;
    this.mmu.setA20(true);
    cpu.state.gdtrBase = gdtBase;
    cpu.state.gdtrLimit = gdtLimit;
    cpu.setControlRegister(0, cpu.state.cr0 | 1);
    cpu.loadSegmentCache(SegReg.CS, BOOT_CS, 0, 0xffff_ffff, 0xcf9b);
    for (const seg of [SegReg.DS, SegReg.ES, SegReg.SS, SegReg.FS, SegReg.GS])
      cpu.loadSegmentCache(seg, BOOT_DS, 0, 0xffff_ffff, 0xcf93);
    cpu.eflags = 0x2;
    for (let r = 0; r < 8; r++) cpu.setReg32(r, 0);
    cpu.eip = entry;
  }

  private enterMultiboot(config: PcConfig): void {
    const plan = loadMultiboot(this.physical, {
      kernel: config.kernel!,
      ...(config.initrd !== undefined ? { modules: [config.initrd] } : {}),
      cmdline: config.cmdline ?? "",
      e820: this.e820,
    });
    this.enterProtectedMode(plan.gdtBase, plan.gdtLimit, plan.entry);
    this.cpu.setReg32(0, plan.eax);
    this.cpu.setReg32(3, plan.ebx);
  }
}

/** Builds a PC from its config (throws with a clear message on bad images or sizes). */
export function createPc(config: PcConfig): Pc {
  return new Pc(config);
}

/** EFLAGS.IF. */
const EFLAGS_IF = 0x200;

/** The IOAPIC pin of ISA IRQ `irq`: the PIT's IRQ 0 is wired to pin 2, as the MADT says. */
function ioApicPin(irq: number): number {
  return irq === 0 ? 2 : irq;
}

/** An ISA IRQ line wired to both the 8259 input and the IOAPIC input (the guest masks one). */
class SplitIrqLine implements IrqLine {
  constructor(
    private readonly pic: IrqLine,
    private readonly ioapic: IrqLine,
  ) {}
  raise(): void {
    this.pic.raise();
    this.ioapic.raise();
  }
  lower(): void {
    this.pic.lower();
    this.ioapic.lower();
  }
}

function drive(disk: BlockDevice | undefined): AtaDisk | undefined {
  return disk === undefined ? undefined : new AtaDisk(disk);
}

function defaultBootOrder(config: PcConfig): BootDevice[] {
  const order: BootDevice[] = [];
  if (config.cdrom !== undefined) order.push("cdrom");
  if (config.hda !== undefined) order.push("disk");
  if (config.fda !== undefined) order.push("floppy");
  return order.length > 0 ? order : ["disk", "cdrom", "floppy"];
}

/** Option ROMs are mapped in 4 KiB pages: pad with zeros (the ROM's own length byte rules). */
function padRom(image: Uint8Array): Uint8Array {
  const size = Math.ceil(image.length / 4096) * 4096;
  if (size === image.length) return image;
  const padded = new Uint8Array(size);
  padded.set(image);
  return padded;
}
