// What a browser (or any host with a screen and a keyboard) needs on top of the board: the
// VGA picture as RGBA, DOM key codes and mouse events as PS/2 input, the execution engine
// choice, and disk images from File/Blob objects. No Node APIs: the web app runs this in a
// Web Worker. The board itself stays in pc.ts; this file only attaches to a built Pc.
import type { DeviceContext, IrqLine, Logger } from "@ringvm/bus";
import { Set2Encoder, ctrlAltDelete, ps2ButtonsFromDom } from "@ringvm/devices/input";
import {
  STDVGA_PCI,
  VgaDevice,
  findVgaBiosFont,
  renderToRgba,
  setTextMode3,
  textLines,
  textScreen,
  type RenderResult,
} from "@ringvm/devices/vga";
import { createIoBus } from "@ringvm/memory";
import { createEngine, type EngineKind, type Recompiler } from "@ringvm/recompiler";
import { createPc, type Pc, type PcConfig } from "./pc";

export { BlobSource, MemoryDisk } from "@ringvm/devices/disk";
export type { RenderResult } from "@ringvm/devices/vga";
export type { EngineKind } from "@ringvm/recompiler";

/** The PCI slot of the display adapter (QEMU's i440FX layout puts the stdvga at 00:02.0). */
const VGA_PCI_DEVICE = 2;

/** `boot_params.screen_info` offsets (Linux arch/x86/include/uapi/asm/bootparam.h). */
const SI_ORIG_VIDEO_MODE = 0x06;
const SI_ORIG_VIDEO_COLS = 0x07;
const SI_ORIG_VIDEO_EGA_BX = 0x0a;
const SI_ORIG_VIDEO_LINES = 0x0e;
const SI_ORIG_VIDEO_IS_VGA = 0x0f;
const SI_ORIG_VIDEO_POINTS = 0x10;

const quietLog: Logger = { debug: () => undefined, warn: () => undefined };

/** A board config plus the host-side choices of {@link createScreenPc}. */
export interface ScreenPcConfig extends PcConfig {
  /** Interpreter (default), recompiler (translate on first sight) or auto (hot code). */
  readonly engine?: EngineKind;
}

/** Where the instructions ran, for a status line. */
export interface EngineShare {
  readonly engine: string;
  /** Instructions run by translated blocks (0 with the interpreter). */
  readonly translated: number;
  /** Instructions run by the interpreter. */
  readonly interpreted: number;
}

/** A Pc with its screen and input devices as a host UI sees them. */
export interface ScreenPc {
  readonly pc: Pc;
  readonly vga: VgaDevice;
  /** Draws the current picture into `out` (see `renderToRgba`: reallocate when `isDrawn` is false). */
  render(out: Uint8Array | Uint8ClampedArray): RenderResult;
  /** The text-mode screen as lines (undefined in graphics modes). */
  screenText(): string[] | undefined;
  /** A DOM `KeyboardEvent.code` going down or up. */
  key(code: string, isPressed: boolean): void;
  /** Relative mouse motion (DOM movementX/Y: y grows downwards) and wheel steps. */
  mouseMove(dx: number, dy: number, wheel?: number): void;
  /** DOM `MouseEvent.buttons`. */
  mouseButtons(buttons: number): void;
  ctrlAltDelete(): void;
  engineShare(): EngineShare;
}

/**
 * Builds a {@link Pc} with a stdvga display (unless the board already has one) and the
 * keyboard/mouse plumbing. For a direct Linux boot the VGA starts in text mode 3 with the
 * VGA BIOS font (when `vgaBios` is given) and `screen_info` tells the kernel so, so
 * `console=tty0` shows on the screen as after a firmware boot.
 *
 * @example
 * const s = createScreenPc({ kernel, initrd, vgaBios, cmdline: "console=tty0 console=ttyS0" });
 * let frame = new Uint8ClampedArray(720 * 400 * 4);
 * s.key("KeyA", true); s.key("KeyA", false);
 * void s.pc.start();
 */
export function createScreenPc(config: ScreenPcConfig): ScreenPc {
  const pc = createPc(config);
  const boardDisplay = boardVga(pc);
  const vga = boardDisplay ?? attachVga(pc, config.log ?? quietLog);
  if (config.bios !== undefined && config.vgaBios !== undefined && boardDisplay === undefined) {
    // SeaBIOS (QEMU build) runs a PCI display's option ROM from fw_cfg "pciVVVV,DDDD.rom"
    // or the ROM BAR, not from a ROM already at C0000h: without this its VGA BIOS never runs.
    const id = (n: number): string => n.toString(16).padStart(4, "0");
    pc.fwCfg.addFile(
      `pci${id(STDVGA_PCI.vendorId)},${id(STDVGA_PCI.deviceId)}.rom`,
      config.vgaBios,
    );
  }
  if (pc.linuxBoot !== undefined && config.vgaBios !== undefined) {
    const font = findVgaBiosFont(config.vgaBios);
    if (font !== undefined) {
      setTextMode3(vga, font);
      describeTextScreen(pc, pc.linuxBoot.bootParams);
    }
  }
  // The board installs config.engine itself now; build one here only if it did not.
  let recompiler: Recompiler | undefined = pc.recompiler;
  const kind = config.engine ?? "interpreter";
  if (kind !== "interpreter" && recompiler === undefined) {
    const engine = createEngine(kind, {
      cpu: pc.cpu,
      mmu: pc.mmu,
      physical: pc.physical,
      interrupts: pc.pic,
    });
    if (engine !== pc.cpu) {
      recompiler = engine as Recompiler;
      pc.hypervisor.setEngine(recompiler);
    }
  }
  const encoder = new Set2Encoder();
  const keyboard = pc.i8042.keyboard;
  const mouse = pc.i8042.mouse;
  const hv = pc.hypervisor;
  const sendKey = (code: string, isPressed: boolean): void => {
    const bytes = isPressed ? encoder.press(code) : encoder.release(code);
    if (bytes.length > 0) hv.post(() => keyboard.sendScancodes(bytes));
  };
  return {
    pc,
    vga,
    render: (out) => renderToRgba(vga, out),
    screenText: () => {
      const screen = textScreen(vga);
      return screen === undefined ? undefined : textLines(screen);
    },
    key: sendKey,
    // PS/2 Y grows upwards, DOM movementY downwards.
    mouseMove: (dx, dy, wheel = 0) => hv.post(() => mouse.move(dx, -dy, wheel)),
    mouseButtons: (buttons) => hv.post(() => mouse.setButtons(ps2ButtonsFromDom(buttons))),
    ctrlAltDelete: () => {
      for (const event of ctrlAltDelete()) sendKey(event.code, event.isPressed);
    },
    engineShare: () => {
      if (recompiler === undefined) {
        return { engine: "interpreter", translated: 0, interpreted: hv.stats.instructions };
      }
      const st = recompiler.stats;
      return {
        engine: kind,
        translated: st.instructionsInBlocks,
        interpreted: st.instructionsInterpreted,
      };
    },
  };
}

/** The board's own display, if pc.ts has one wired (it may grow one later). */
function boardVga(pc: Pc): VgaDevice | undefined {
  const vga = (pc as unknown as { vga?: unknown }).vga;
  return vga instanceof VgaDevice ? vga : undefined;
}

/** Wires a stdvga into a built board: ports, the A0000h window, PCI 00:02.0 and resets. */
function attachVga(pc: Pc, log: Logger): VgaDevice {
  const vga = new VgaDevice({ lfbBase: null });
  const pic = pc.pic;
  const context: DeviceContext = {
    io: createIoBus(pc.ports, pc.physical),
    irq: (line: number): IrqLine => pic.line(line),
    clock: pc.clock,
    scheduler: pc.scheduler,
    log,
    dma: pc.physical,
  };
  vga.attach(context);
  pc.pci.register(VGA_PCI_DEVICE, 0, vga.pciFunctionSpec());
  const boardReset = pc.reset.bind(pc);
  pc.reset = () => {
    vga.reset("hardware");
    boardReset();
  };
  return vga;
}

/** Fills `screen_info` (at the start of boot_params) for an 80x25 colour VGA text console. */
function describeTextScreen(pc: Pc, bootParams: number): void {
  const info = new Uint8Array(0x40);
  pc.physical.readBytes(bootParams, info);
  if (info[SI_ORIG_VIDEO_IS_VGA] !== 0) return; // the loader already described a screen
  info[0] = 0; // cursor column
  info[1] = 0; // cursor row
  info[SI_ORIG_VIDEO_MODE] = 3;
  info[SI_ORIG_VIDEO_COLS] = 80;
  info[SI_ORIG_VIDEO_EGA_BX] = 0x03; // not 10h: an EGA/VGA, not a CGA
  info[SI_ORIG_VIDEO_LINES] = 25;
  info[SI_ORIG_VIDEO_IS_VGA] = 1;
  info[SI_ORIG_VIDEO_POINTS] = 16;
  pc.physical.writeBytes(bootParams, info);
}
