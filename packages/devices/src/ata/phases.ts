// Transfer phases and jobs of an IDE channel (shared by the channel and the command code).

/** Data phase of the channel. */
export const PHASE_IDLE = 0;
export const PHASE_PIO_IN = 1;
export const PHASE_PIO_OUT = 2;
export const PHASE_PACKET = 3;
export const PHASE_DMA = 4;
/** Waiting for an asynchronous backend read; the device shows BSY. */
export const PHASE_BUSY = 5;

/** The command whose data is moving. */
export const JOB_NONE = 0;
export const JOB_PIO_SINGLE = 1;
export const JOB_ATA_READ = 2;
export const JOB_ATA_WRITE = 3;
export const JOB_ATA_DMA_READ = 4;
export const JOB_ATA_DMA_WRITE = 5;
export const JOB_ATAPI_DATA = 6;
export const JOB_ATAPI_READ = 7;
