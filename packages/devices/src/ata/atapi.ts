// ATAPI packet commands for the CD-ROM (SPC-3, MMC-5 / SFF-8020i). Each command turns a
// 12-byte packet into a result; the channel moves the data (PIO or DMA).
import type { AtapiCdrom } from "./drives";
import { MEDIA_EVENT_NONE } from "./drives";
import { CD_BLOCK } from "./regs";

/** SCSI operation codes (SPC-3 / MMC-5 annex). */
export const SCSI_TEST_UNIT_READY = 0x00;
export const SCSI_REQUEST_SENSE = 0x03;
export const SCSI_INQUIRY = 0x12;
export const SCSI_START_STOP_UNIT = 0x1b;
export const SCSI_PREVENT_ALLOW = 0x1e;
export const SCSI_READ_CAPACITY = 0x25;
export const SCSI_READ_10 = 0x28;
export const SCSI_SEEK_10 = 0x2b;
export const SCSI_READ_TOC = 0x43;
export const SCSI_GET_CONFIGURATION = 0x46;
export const SCSI_GET_EVENT_STATUS = 0x4a;
export const SCSI_MODE_SENSE_10 = 0x5a;
export const SCSI_READ_12 = 0xa8;

/** Sense keys (SPC-3 4.5.6 table 27). */
export const SENSE_NONE = 0;
export const SENSE_NOT_READY = 2;
export const SENSE_ILLEGAL_REQUEST = 5;
export const SENSE_UNIT_ATTENTION = 6;

/** Additional sense codes (SPC-3 annex D). */
export const ASC_INVALID_OPCODE = 0x20;
export const ASC_LBA_OUT_OF_RANGE = 0x21;
export const ASC_INVALID_FIELD = 0x24;
export const ASC_MEDIUM_CHANGED = 0x28;
export const ASC_NO_MEDIUM = 0x3a;
export const ASC_REMOVAL_PREVENTED = 0x53;

/** MMC-5 profile 0008h: CD-ROM. */
const PROFILE_CDROM = 0x0008;
/** CD addressing: the first block is at MSF 00:02:00 (150 frames, 75 frames per second). */
const MSF_OFFSET = 150;
/** READ TOC lead-out track number (MMC-5 6.26.3.2). */
const LEAD_OUT = 0xaa;

export type PacketResult =
  | { readonly kind: "data"; readonly data: Uint8Array }
  | { readonly kind: "read"; readonly lba: number; readonly blocks: number }
  | { readonly kind: "done" }
  | { readonly kind: "check" };

const DONE: PacketResult = { kind: "done" };
const CHECK: PacketResult = { kind: "check" };

function be16(p: Uint8Array, at: number): number {
  return (p[at]! << 8) | p[at + 1]!;
}
function be32(p: Uint8Array, at: number): number {
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}
function put16(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 8) & 0xff;
  out[at + 1] = v & 0xff;
}
function put32(out: Uint8Array, at: number, v: number): void {
  put16(out, at, Math.floor(v / 0x10000) & 0xffff);
  put16(out, at + 2, v & 0xffff);
}

function fail(drive: AtapiCdrom, key: number, asc: number, ascq = 0): PacketResult {
  drive.senseKey = key;
  drive.asc = asc;
  drive.ascq = ascq;
  return CHECK;
}

function reply(data: Uint8Array, allocation: number): PacketResult {
  return { kind: "data", data: data.subarray(0, Math.min(data.length, allocation)) };
}

/** Writes an LBA as (reserved, M, S, F) when `isMsf`, else big-endian (MMC-5 6.26.3.2). */
function putAddress(out: Uint8Array, at: number, lba: number, isMsf: boolean): void {
  if (!isMsf) return put32(out, at, lba);
  const frames = lba + MSF_OFFSET;
  out[at] = 0;
  out[at + 1] = Math.floor(frames / (75 * 60)) & 0xff;
  out[at + 2] = Math.floor(frames / 75) % 60;
  out[at + 3] = frames % 75;
}

/** Commands that work without a medium and do not report UNIT ATTENTION (SPC-3 5.8.7). */
function isMediumIndependent(op: number): boolean {
  return (
    op === SCSI_INQUIRY ||
    op === SCSI_REQUEST_SENSE ||
    op === SCSI_GET_CONFIGURATION ||
    op === SCSI_GET_EVENT_STATUS
  );
}

export function runPacket(drive: AtapiCdrom, p: Uint8Array): PacketResult {
  const op = p[0]!;
  if (!isMediumIndependent(op)) {
    if (drive.hasUnitAttention) {
      drive.hasUnitAttention = false;
      return fail(drive, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
    }
  }
  if (op !== SCSI_REQUEST_SENSE) {
    drive.senseKey = SENSE_NONE;
    drive.asc = 0;
    drive.ascq = 0;
  }
  const blocks = drive.blocks;
  const needsMedium = () => fail(drive, SENSE_NOT_READY, ASC_NO_MEDIUM);
  switch (op) {
    case SCSI_TEST_UNIT_READY:
      return blocks === 0 ? needsMedium() : DONE;
    case SCSI_REQUEST_SENSE: {
      // SPC-3 4.5.3 fixed format: response code 70h, sense key, additional length 10.
      const out = new Uint8Array(18);
      out[0] = 0x70;
      out[2] = drive.senseKey;
      out[7] = 10;
      out[12] = drive.asc;
      out[13] = drive.ascq;
      drive.senseKey = SENSE_NONE;
      drive.asc = 0;
      drive.ascq = 0;
      return reply(out, p[4]!);
    }
    case SCSI_INQUIRY: {
      // SPC-3 6.4.2: peripheral type 05h (CD/DVD), RMB, ATAPI version field (SFF-8020i 10.8.4).
      const out = new Uint8Array(36);
      out[0] = 0x05;
      out[1] = 0x80;
      out[3] = 0x21;
      out[4] = 36 - 5;
      const text = `${"RINGVM".padEnd(8)}${drive.model.padEnd(16).slice(0, 16)}${drive.firmware.padEnd(4).slice(0, 4)}`;
      for (let i = 0; i < text.length; i++) out[8 + i] = text.charCodeAt(i) & 0xff;
      return reply(out, be16(p, 3));
    }
    case SCSI_START_STOP_UNIT: {
      const isLoadEject = (p[4]! & 0x02) !== 0;
      const isStart = (p[4]! & 0x01) !== 0;
      if (isLoadEject && !isStart) {
        // MMC-5 6.39: eject refused while prevented: ASC 53h ASCQ 02h.
        if (drive.isLocked) return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
        drive.changeMedium(undefined);
      }
      return DONE;
    }
    case SCSI_PREVENT_ALLOW:
      drive.isLocked = (p[4]! & 0x01) !== 0;
      return DONE;
    case SCSI_READ_CAPACITY: {
      if (blocks === 0) return needsMedium();
      const out = new Uint8Array(8);
      put32(out, 0, blocks - 1); // MMC-5 6.23: last logical block address
      put32(out, 4, CD_BLOCK);
      return reply(out, 8);
    }
    case SCSI_READ_10:
    case SCSI_READ_12: {
      if (blocks === 0) return needsMedium();
      const lba = be32(p, 2);
      const count = op === SCSI_READ_10 ? be16(p, 7) : be32(p, 6);
      if (lba + count > blocks) return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
      return count === 0 ? DONE : { kind: "read", lba, blocks: count };
    }
    case SCSI_SEEK_10:
      if (blocks === 0) return needsMedium();
      return be32(p, 2) >= blocks ? fail(drive, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE) : DONE;
    case SCSI_READ_TOC:
      return blocks === 0 ? needsMedium() : readToc(drive, p, blocks);
    case SCSI_MODE_SENSE_10:
      return modeSense(drive, p);
    case SCSI_GET_CONFIGURATION:
      return getConfiguration(p, blocks > 0);
    case SCSI_GET_EVENT_STATUS:
      return getEventStatus(drive, p, blocks > 0);
    default:
      return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
  }
}

/** READ TOC/PMA/ATIP for a single-track data disc (MMC-5 6.26). */
function readToc(drive: AtapiCdrom, p: Uint8Array, blocks: number): PacketResult {
  const isMsf = (p[1]! & 0x02) !== 0;
  // Format is in byte 2 bits 3:0; older hosts (SFF-8020i) put it in byte 9 bits 7:6.
  const format = (p[2]! & 0x0f) !== 0 ? p[2]! & 0x0f : p[9]! >> 6;
  const track = p[6]!;
  const allocation = be16(p, 7);
  if (format === 0) {
    if (track > 1 && track !== LEAD_OUT)
      return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
    const entries = track === LEAD_OUT ? 1 : 2;
    const out = new Uint8Array(4 + 8 * entries);
    put16(out, 0, out.length - 2);
    out[2] = 1; // first track
    out[3] = 1; // last track
    let at = 4;
    if (entries === 2) {
      out[at + 1] = 0x14; // ADR 1 (Q sub-channel position), control 4 (data track)
      out[at + 2] = 1;
      putAddress(out, at + 4, 0, isMsf);
      at += 8;
    }
    out[at + 1] = 0x14;
    out[at + 2] = LEAD_OUT;
    putAddress(out, at + 4, blocks, isMsf);
    return reply(out, allocation);
  }
  if (format === 1) {
    // Session information: one session, its first track 1 at address 0.
    const out = new Uint8Array(12);
    put16(out, 0, 10);
    out[2] = 1;
    out[3] = 1;
    out[5] = 0x14;
    out[6] = 1;
    putAddress(out, 8, 0, isMsf);
    return reply(out, allocation);
  }
  if (format === 2) {
    // Full TOC (MMC-5 6.26.3.4): points A0h, A1h, A2h and track 1, 11 bytes each, MSF.
    const out = new Uint8Array(4 + 11 * 4);
    put16(out, 0, out.length - 2);
    out[2] = 1;
    out[3] = 1;
    const points: [number, number][] = [
      [0xa0, -1],
      [0xa1, -1],
      [LEAD_OUT - 8, blocks], // A2h: lead-out start
      [1, 0],
    ];
    points.forEach(([point, lba], i) => {
      const at = 4 + 11 * i;
      out[at] = 1; // session
      out[at + 1] = 0x14;
      out[at + 3] = point;
      if (lba >= 0) {
        putAddress(out, at + 7, lba, true);
        out[at + 7] = 0; // the zero byte before PMIN
      } else {
        out[at + 8] = 1; // PMIN: first (A0h) or last (A1h) track number
        out[at + 9] = 0; // PSEC: disc type 00h (CD-DA or CD-ROM) for A0h
      }
    });
    return reply(out, allocation);
  }
  return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
}

/** MODE SENSE(10) with the error-recovery (01h) and capabilities (2Ah) pages (MMC-5 7.3, 7.8). */
function modeSense(drive: AtapiCdrom, p: Uint8Array): PacketResult {
  const page = p[2]! & 0x3f;
  const recovery = [0x01, 0x06, 0x00, 0x05, 0, 0, 0, 0];
  // 2Ah: reads CD-R/RW, can eject, lock state, tray loader; max/current speed 706 kB/s (4x).
  const capabilities = [
    0x2a,
    0x12,
    0x03,
    0x00,
    0x71,
    0x00,
    0x29 | (drive.isLocked ? 0x02 : 0),
    0x00,
    0x02,
    0xc2,
    0x00,
    0x02,
    0x02,
    0x00,
    0x02,
    0xc2,
    0,
    0,
    0,
    0,
  ];
  let pages: number[];
  if (page === 0x01) pages = recovery;
  else if (page === 0x2a) pages = capabilities;
  else if (page === 0x3f) pages = [...recovery, ...capabilities];
  else return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
  const out = new Uint8Array(8 + pages.length);
  put16(out, 0, out.length - 2);
  out[2] = drive.blocks > 0 ? 0x01 : 0x70; // medium type: 120 mm data disc, or "no disc"
  out.set(pages, 8);
  return reply(out, be16(p, 7));
}

/** GET CONFIGURATION: profile list and core feature (MMC-5 6.6, 5.3.1, 5.3.2). */
function getConfiguration(p: Uint8Array, hasMedium: boolean): PacketResult {
  const rt = p[1]! & 0x03;
  const start = be16(p, 2);
  const features: [number, number[]][] = [
    [0x0000, [0x03, 4, PROFILE_CDROM >> 8, PROFILE_CDROM & 0xff, hasMedium ? 1 : 0, 0]],
    [0x0001, [0x0b, 8, 0, 0, 0, 2, 0x01, 0, 0, 0]], // core: ATAPI physical interface, DBE
  ];
  const chosen = features.filter(([code]) => (rt === 2 ? code === start : code >= start));
  const body: number[] = [];
  for (const [code, rest] of chosen) {
    body.push(code >> 8, code & 0xff, ...rest);
  }
  const out = new Uint8Array(8 + body.length);
  put32(out, 0, out.length - 4);
  put16(out, 6, hasMedium ? PROFILE_CDROM : 0);
  out.set(body, 8);
  return reply(out, be16(p, 7));
}

/** GET EVENT STATUS NOTIFICATION, polled, media class only (MMC-5 6.6). */
function getEventStatus(drive: AtapiCdrom, p: Uint8Array, hasMedium: boolean): PacketResult {
  if ((p[1]! & 0x01) === 0) return fail(drive, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
  const MEDIA_CLASS = 0x10;
  const allocation = be16(p, 7);
  if ((p[4]! & MEDIA_CLASS) === 0) {
    // No supported class requested: header only, NEA set.
    const out = new Uint8Array([0, 2, 0x80, MEDIA_CLASS]);
    return reply(out, allocation);
  }
  const out = new Uint8Array(8);
  put16(out, 0, 6);
  out[2] = 0x04; // notification class 4: media
  out[3] = MEDIA_CLASS;
  out[4] = drive.mediaEvent;
  out[5] = hasMedium ? 0x02 : 0x00; // media present; door closed
  drive.mediaEvent = MEDIA_EVENT_NONE;
  return reply(out, allocation);
}
