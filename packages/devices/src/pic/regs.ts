// Intel 8259A register map and command bits (8259A datasheet, "Programming the 8259A").

/** Master: A0=0 at 20h, A0=1 at 21h. Slave: A0h/A1h. */
export const MASTER_BASE = 0x20;
export const SLAVE_BASE = 0xa0;
/** PIIX edge/level control registers (ELCR1 for IRQ0-7, ELCR2 for IRQ8-15). */
export const ELCR_BASE = 0x4d0;
/**
 * ELCR bits that are writable: IRQ0, 1, 2 (master) and IRQ8, 13 (slave) are always edge
 * on the PIIX (82371 datasheet, ELCR1/ELCR2 description).
 */
export const ELCR_MASK_MASTER = 0xf8;
export const ELCR_MASK_SLAVE = 0xde;

/** The master input the slave's INT output drives (PC/AT wiring). */
export const CASCADE_IRQ = 2;

/** A0=0 writes: D4=1 is ICW1; D4=0,D3=0 is OCW2; D4=0,D3=1 is OCW3. */
export const ICW1 = 0x10;
export const ICW1_IC4 = 0x01;
export const ICW1_SNGL = 0x02;
export const ICW1_LTIM = 0x08;
export const OCW3 = 0x08;

/** ICW4 bits. */
export const ICW4_AEOI = 0x02;
export const ICW4_SFNM = 0x10;

/** OCW2: R, SL, EOI in bits 7:5; L2-L0 in bits 2:0. */
export const OCW2_ROTATE_AEOI_CLEAR = 0;
export const OCW2_NONSPECIFIC_EOI = 1;
export const OCW2_NOP = 2;
export const OCW2_SPECIFIC_EOI = 3;
export const OCW2_ROTATE_AEOI_SET = 4;
export const OCW2_ROTATE_NONSPECIFIC_EOI = 5;
export const OCW2_SET_PRIORITY = 6;
export const OCW2_ROTATE_SPECIFIC_EOI = 7;

/** OCW3 bits. */
export const OCW3_RIS = 0x01;
export const OCW3_RR = 0x02;
export const OCW3_POLL = 0x04;
export const OCW3_SMM = 0x20;
export const OCW3_ESMM = 0x40;

/** ICW sequence position: ready for OCWs, or waiting for ICW2/3/4. */
export const INIT_READY = 0;
export const INIT_ICW2 = 1;
export const INIT_ICW3 = 2;
export const INIT_ICW4 = 3;
