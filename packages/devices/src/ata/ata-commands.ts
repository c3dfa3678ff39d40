// ATA commands (ATA/ATAPI-6 clause 8) for hard disks, and the ATA-level commands an ATAPI
// device accepts. Each function sets up the channel's transfer or ends the command.
import type { IdeChannel } from "./ide-channel";
import {
  JOB_ATA_DMA_READ,
  JOB_ATA_DMA_WRITE,
  JOB_ATA_READ,
  JOB_ATA_WRITE,
  JOB_PIO_SINGLE,
} from "./phases";
import type { AtaDisk, AtapiCdrom } from "./drives";
import { MAX_MULTIPLE } from "./identify";
import * as R from "./regs";

/** Copies IDENTIFY words into the channel buffer, little-endian (ATA-6 8.15). */
function stageIdentify(ch: IdeChannel, words: Uint16Array): void {
  for (let i = 0; i < 256; i++) {
    ch.buffer[2 * i] = words[i]! & 0xff;
    ch.buffer[2 * i + 1] = words[i]! >> 8;
  }
  ch.startPioIn(JOB_PIO_SINGLE, 512);
}

interface Access {
  readonly lba: number;
  readonly count: number;
}

/**
 * Decodes the address and count of a read/write command; undefined (after failing the
 * command with IDNF) when the address is invalid or beyond the disk (ATA-6 7.9, 8.x "IDNF").
 */
function decodeAccess(ch: IdeChannel, disk: AtaDisk, isExt: boolean): Access | undefined {
  const tf = ch.tf();
  let lba: number;
  let count: number;
  if (isExt) {
    lba = tf.lba48();
    count = (tf.hobCount << 8) | tf.count || 0x1_0000; // 0 means 65,536 sectors
  } else {
    count = tf.count || 256; // 0 means 256 sectors
    if ((tf.device & R.DEVICE_LBA) !== 0) {
      lba = tf.lba28();
    } else {
      // CHS (ATA-6 6.3): sector numbers start at 1; translate with the current geometry.
      const cylinder = (tf.lbaHigh << 8) | tf.lbaMid;
      const head = tf.device & 0x0f;
      const sector = tf.lbaLow;
      const g = disk.current;
      if (
        sector === 0 ||
        sector > g.sectorsPerTrack ||
        head >= g.heads ||
        cylinder >= g.cylinders
      ) {
        ch.fail(R.ERROR_IDNF | R.ERROR_ABRT);
        return undefined;
      }
      lba = (cylinder * g.heads + head) * g.sectorsPerTrack + sector - 1;
    }
  }
  if (lba + count > disk.sectors) {
    ch.fail(R.ERROR_IDNF);
    return undefined;
  }
  ch.isLba48 = isExt;
  return { lba, count };
}

function startRead(ch: IdeChannel, disk: AtaDisk, isExt: boolean, block: number): void {
  const access = decodeAccess(ch, disk, isExt);
  if (access === undefined) return;
  ch.lba = access.lba;
  ch.remaining = access.count;
  ch.blockSectors = block;
  ch.job = JOB_ATA_READ;
  ch.loadSectors();
}

function startWrite(ch: IdeChannel, disk: AtaDisk, isExt: boolean, block: number): void {
  if (disk.disk.isReadOnly) return ch.fail(R.ERROR_ABRT);
  const access = decodeAccess(ch, disk, isExt);
  if (access === undefined) return;
  ch.lba = access.lba;
  ch.remaining = access.count;
  ch.blockSectors = block;
  ch.startPioOut(JOB_ATA_WRITE, Math.min(access.count, block) * R.ATA_SECTOR, false);
}

function startDma(ch: IdeChannel, disk: AtaDisk, isExt: boolean, isWrite: boolean): void {
  if (!ch.hasDma || (isWrite && disk.disk.isReadOnly)) return ch.fail(R.ERROR_ABRT);
  const access = decodeAccess(ch, disk, isExt);
  if (access === undefined) return;
  ch.lba = access.lba;
  ch.remaining = access.count;
  ch.job = isWrite ? JOB_ATA_DMA_WRITE : JOB_ATA_DMA_READ;
  ch.beginDma();
}

/** SET FEATURES (ATA-6 8.37); returns false for subcommands we do not support. */
function setFeatures(ch: IdeChannel, drive: AtaDisk | AtapiCdrom): boolean {
  const tf = ch.tf();
  switch (tf.feature) {
    case R.FEATURE_SET_TRANSFER_MODE: {
      // Sector count: 00001nnn PIO mode n, 00100nnn multiword DMA n, 01000nnn Ultra DMA n.
      const mode = tf.count & 0x07;
      const kind = tf.count >> 3;
      if (kind === 0 || kind === 1) {
        if (mode > 4) return false;
        return true;
      }
      if (kind === 4 && mode <= 2) drive.modes = { mwdma: mode, udma: -1 };
      else if (kind === 8 && mode <= 5) drive.modes = { mwdma: -1, udma: mode };
      else return false;
      return true;
    }
    case R.FEATURE_ENABLE_WRITE_CACHE:
    case R.FEATURE_DISABLE_WRITE_CACHE:
      if (drive.kind !== "ata") return false;
      drive.isWriteCacheEnabled = tf.feature === R.FEATURE_ENABLE_WRITE_CACHE;
      return true;
    case R.FEATURE_ENABLE_LOOKAHEAD:
    case R.FEATURE_DISABLE_LOOKAHEAD:
    case R.FEATURE_ENABLE_REVERTING:
    case R.FEATURE_DISABLE_REVERTING:
      return true;
    default:
      return false;
  }
}

export function runAtaCommand(ch: IdeChannel, disk: AtaDisk, cmd: number): void {
  const tf = ch.tf();
  switch (cmd) {
    case R.CMD_IDENTIFY:
      return stageIdentify(ch, disk.identify());
    case R.CMD_READ_SECTORS:
    case R.CMD_READ_SECTORS_NORETRY:
      return startRead(ch, disk, false, 1);
    case R.CMD_READ_SECTORS_EXT:
      return startRead(ch, disk, true, 1);
    case R.CMD_READ_MULTIPLE:
    case R.CMD_READ_MULTIPLE_EXT:
      // Multiple mode must be enabled first (ATA-6 8.28).
      if (disk.multiple === 0) return ch.fail(R.ERROR_ABRT);
      return startRead(ch, disk, cmd === R.CMD_READ_MULTIPLE_EXT, disk.multiple);
    case R.CMD_WRITE_SECTORS:
    case R.CMD_WRITE_SECTORS_NORETRY:
      return startWrite(ch, disk, false, 1);
    case R.CMD_WRITE_SECTORS_EXT:
      return startWrite(ch, disk, true, 1);
    case R.CMD_WRITE_MULTIPLE:
    case R.CMD_WRITE_MULTIPLE_EXT:
      if (disk.multiple === 0) return ch.fail(R.ERROR_ABRT);
      return startWrite(ch, disk, cmd === R.CMD_WRITE_MULTIPLE_EXT, disk.multiple);
    case R.CMD_READ_DMA:
    case R.CMD_READ_DMA_NORETRY:
      return startDma(ch, disk, false, false);
    case R.CMD_READ_DMA_EXT:
      return startDma(ch, disk, true, false);
    case R.CMD_WRITE_DMA:
    case R.CMD_WRITE_DMA_NORETRY:
      return startDma(ch, disk, false, true);
    case R.CMD_WRITE_DMA_EXT:
      return startDma(ch, disk, true, true);
    case R.CMD_READ_VERIFY:
    case R.CMD_READ_VERIFY_NORETRY:
    case R.CMD_READ_VERIFY_EXT: {
      // No data moves; only the address is checked (ATA-6 8.32).
      if (decodeAccess(ch, disk, cmd === R.CMD_READ_VERIFY_EXT) === undefined) return;
      return ch.complete(true);
    }
    case R.CMD_SET_MULTIPLE: {
      // ATA-6 8.39: a block size the device does not support aborts; 0 disables.
      const n = tf.count;
      if (n > MAX_MULTIPLE || (n & (n - 1)) !== 0) return ch.fail(R.ERROR_ABRT);
      disk.multiple = n;
      return ch.complete(true);
    }
    case R.CMD_INITIALIZE_PARAMETERS: {
      // ATA-6 8.16: sectors per track from the count, heads from device bits 3:0 + 1.
      const sectorsPerTrack = tf.count;
      const heads = (tf.device & 0x0f) + 1;
      if (sectorsPerTrack === 0) return ch.fail(R.ERROR_ABRT);
      const cylinders = Math.min(
        65535,
        Math.floor(Math.min(disk.sectors, 16383 * 16 * 63) / (heads * sectorsPerTrack)),
      );
      disk.current = { cylinders, heads, sectorsPerTrack };
      return ch.complete(true);
    }
    case R.CMD_SET_FEATURES:
      return setFeatures(ch, disk) ? ch.complete(true) : ch.fail(R.ERROR_ABRT);
    case R.CMD_FLUSH_CACHE:
    case R.CMD_FLUSH_CACHE_EXT:
      // Writes reach the backend (or its overlay) synchronously: nothing is held back.
      return ch.complete(true);
    case R.CMD_EXECUTE_DIAGNOSTIC:
      return diagnostic(ch);
    case R.CMD_CHECK_POWER_MODE:
      tf.count = 0xff; // FFh: active or idle (ATA-6 8.6)
      return ch.complete(true);
    case R.CMD_READ_NATIVE_MAX:
      tf.setLba28(Math.min(disk.sectors, 0x1000_0000) - 1);
      return ch.complete(true);
    case R.CMD_READ_NATIVE_MAX_EXT:
      tf.setLba48(disk.sectors - 1);
      return ch.complete(true);
    case R.CMD_SEEK:
    case R.CMD_STANDBY_IMMEDIATE:
    case R.CMD_IDLE_IMMEDIATE:
    case R.CMD_STANDBY:
    case R.CMD_IDLE:
    case R.CMD_SLEEP:
      return ch.complete(true);
    default:
      if ((cmd & 0xf0) === R.CMD_RECALIBRATE) return ch.complete(true);
      // Unknown, or PACKET / IDENTIFY PACKET DEVICE sent to a non-packet device (ATA-6 8.23).
      return ch.fail(R.ERROR_ABRT);
  }
}

/** EXECUTE DEVICE DIAGNOSTIC (ATA-6 8.11): both devices; device 0 reports with INTRQ. */
function diagnostic(ch: IdeChannel): void {
  ch.diagnose(0);
  ch.diagnose(1);
  ch.raiseInterrupt();
}

export function runAtapiCommand(ch: IdeChannel, drive: AtapiCdrom, cmd: number): void {
  const tf = ch.tf();
  switch (cmd) {
    case R.CMD_PACKET: {
      // Features bit 0: data by DMA. LBA mid/high: byte count limit (ATA-6 8.21).
      ch.isDmaPacket = (tf.feature & 0x01) !== 0 && ch.hasDma;
      let limit = (tf.lbaHigh << 8) | tf.lbaMid;
      if (limit === 0 || limit === 0xffff) limit = 0xfffe; // 0 is invalid; odd limits are rounded down
      ch.byteLimit = limit & ~1;
      return ch.startPacket();
    }
    case R.CMD_IDENTIFY_PACKET:
      return stageIdentify(ch, drive.identify());
    case R.CMD_DEVICE_RESET:
      // ATA-6 8.10: the signature again, no interrupt.
      ch.diagnose(ch.active);
      return;
    case R.CMD_EXECUTE_DIAGNOSTIC:
      return diagnostic(ch);
    case R.CMD_SET_FEATURES:
      return setFeatures(ch, drive) ? ch.complete(true) : ch.fail(R.ERROR_ABRT);
    case R.CMD_CHECK_POWER_MODE:
      tf.count = 0xff;
      return ch.complete(true);
    case R.CMD_IDLE_IMMEDIATE:
    case R.CMD_STANDBY_IMMEDIATE:
      return ch.complete(true);
    case R.CMD_IDENTIFY:
    case R.CMD_READ_SECTORS:
    case R.CMD_READ_DMA:
    default:
      // ATA-6 8.15.4 / 9.12: a packet device aborts IDENTIFY DEVICE (and other ATA media
      // commands) and leaves its signature in the registers so the host can tell.
      ch.fail(R.ERROR_ABRT);
      tf.setSignature(true);
      return;
  }
}
