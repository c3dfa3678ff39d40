// The devices that sit on an IDE channel: an ATA hard disk and an ATAPI CD-ROM.
// They hold per-device state; the channel (ide-channel.ts) runs the protocol.
import type { BlockDevice } from "../disk/block-device";
import type { ChsGeometry, TransferModes } from "./identify";
import { ataIdentify, atapiIdentify, defaultGeometry } from "./identify";
import { ATA_SECTOR, CD_BLOCK } from "./regs";

/** Options common to both kinds of device. */
export interface IdeDriveOptions {
  /** IDENTIFY model string (40 characters max). */
  readonly model?: string;
  /** IDENTIFY serial number (20 characters max). */
  readonly serial?: string;
  /** IDENTIFY firmware revision (8 characters max). */
  readonly firmware?: string;
}

const FIRMWARE = "RVM 0.1";

/** Transfer modes after power-on: none selected yet (ATA-6 8.37.10). */
function initialModes(): TransferModes {
  return { mwdma: -1, udma: -1 };
}

/** An ATA hard disk over a {@link BlockDevice} of 512-byte sectors. */
export class AtaDisk {
  readonly kind = "ata";
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly geometry: ChsGeometry;
  /** Addressable 512-byte sectors. */
  readonly sectors: number;
  // Runtime state (saved).
  status = 0;
  error = 0;
  multiple = 0;
  current: ChsGeometry;
  modes: TransferModes = initialModes();
  isWriteCacheEnabled = true;

  constructor(
    readonly disk: BlockDevice,
    options: IdeDriveOptions = {},
  ) {
    this.model = options.model ?? "RingVM HARDDISK";
    this.serial = options.serial ?? "RVM00000000000000001";
    this.firmware = options.firmware ?? FIRMWARE;
    this.sectors = Math.floor((disk.sectorCount * disk.sectorSize) / ATA_SECTOR);
    this.geometry = defaultGeometry(this.sectors);
    this.current = this.geometry;
  }

  identify(): Uint16Array {
    return ataIdentify(this);
  }

  resetSettings(): void {
    this.multiple = 0;
    this.current = this.geometry;
    this.modes = initialModes();
    this.isWriteCacheEnabled = true;
  }

  saveState(): Record<string, unknown> {
    return {
      status: this.status,
      error: this.error,
      multiple: this.multiple,
      current: { ...this.current },
      modes: { ...this.modes },
      isWriteCacheEnabled: this.isWriteCacheEnabled,
    };
  }

  loadState(state: Record<string, unknown>): void {
    this.status = Number(state["status"]) & 0xff;
    this.error = Number(state["error"]) & 0xff;
    this.multiple = Number(state["multiple"]) | 0;
    this.current = { ...(state["current"] as ChsGeometry) };
    this.modes = { ...(state["modes"] as TransferModes) };
    this.isWriteCacheEnabled = state["isWriteCacheEnabled"] === true;
  }
}

/** Media event reported by GET EVENT STATUS NOTIFICATION (MMC-5 6.6.5 table 137). */
export const MEDIA_EVENT_NONE = 0;
export const MEDIA_EVENT_NEW = 2;
export const MEDIA_EVENT_REMOVAL = 3;

/** An ATAPI CD-ROM drive; media of 2048-byte blocks can be inserted and ejected. */
export class AtapiCdrom {
  readonly kind = "atapi";
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  status = 0;
  error = 0;
  modes: TransferModes = initialModes();
  // SCSI state (saved).
  senseKey = 0;
  asc = 0;
  ascq = 0;
  isLocked = false;
  /** A medium change the host has not yet seen through TEST UNIT READY & co. */
  hasUnitAttention = false;
  mediaEvent = MEDIA_EVENT_NONE;
  private medium: BlockDevice | undefined;

  constructor(medium?: BlockDevice, options: IdeDriveOptions = {}) {
    this.model = options.model ?? "RingVM CD-ROM";
    this.serial = options.serial ?? "RVM00000000000000002";
    this.firmware = options.firmware ?? FIRMWARE;
    this.medium = medium;
  }

  get disk(): BlockDevice | undefined {
    return this.medium;
  }

  /** Number of 2048-byte blocks on the medium (0 without one). */
  get blocks(): number {
    const m = this.medium;
    return m === undefined ? 0 : Math.floor((m.sectorCount * m.sectorSize) / CD_BLOCK);
  }

  /**
   * The user changes the disc (`undefined` ejects). Returns false when the guest locked the
   * tray with PREVENT ALLOW MEDIUM REMOVAL and `force` is not set.
   */
  changeMedium(medium: BlockDevice | undefined, force = false): boolean {
    if (this.isLocked && !force) return false;
    this.medium = medium;
    // SPC-3 / MMC: the next command gets UNIT ATTENTION, ASC 28h "not ready to ready change".
    this.hasUnitAttention = medium !== undefined;
    this.mediaEvent = medium === undefined ? MEDIA_EVENT_REMOVAL : MEDIA_EVENT_NEW;
    return true;
  }

  identify(): Uint16Array {
    return atapiIdentify(this);
  }

  resetSettings(): void {
    this.modes = initialModes();
    this.senseKey = 0;
    this.asc = 0;
    this.ascq = 0;
  }

  saveState(): Record<string, unknown> {
    return {
      status: this.status,
      error: this.error,
      modes: { ...this.modes },
      senseKey: this.senseKey,
      asc: this.asc,
      ascq: this.ascq,
      isLocked: this.isLocked,
      hasUnitAttention: this.hasUnitAttention,
      mediaEvent: this.mediaEvent,
    };
  }

  loadState(state: Record<string, unknown>): void {
    this.status = Number(state["status"]) & 0xff;
    this.error = Number(state["error"]) & 0xff;
    this.modes = { ...(state["modes"] as TransferModes) };
    this.senseKey = Number(state["senseKey"]) & 0xf;
    this.asc = Number(state["asc"]) & 0xff;
    this.ascq = Number(state["ascq"]) & 0xff;
    this.isLocked = state["isLocked"] === true;
    this.hasUnitAttention = state["hasUnitAttention"] === true;
    this.mediaEvent = Number(state["mediaEvent"]) | 0;
  }
}

export type IdeDrive = AtaDisk | AtapiCdrom;
