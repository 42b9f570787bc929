// TCS34725 colour sensor driver (ams TCS3472 datasheet). Every transfer starts with the command
// byte: bit 7 CMD must be 1; bits 6:5 pick the protocol (00 repeated byte: every data byte reads
// the same register; 01 auto-increment: successive registers); bits 4:0 are the register.
// The eight data bytes are read in one auto-increment block from CDATAL, so the low-byte read
// latches each channel's high byte and all four channels come from the same integration.

import { delay, type Timers } from '../clock.js';
import { HardwareError, HardwareErrorCode } from '../hardware-error.js';
import type { I2cBus } from '../i2c/i2c-bus.js';

export const TCS34725_ADDRESS = 0x29;

export const TCS_REG = {
  ENABLE: 0x00,
  ATIME: 0x01,
  CONTROL: 0x0f,
  ID: 0x12,
  STATUS: 0x13,
  CDATAL: 0x14,
} as const;

export const TCS_CMD = 0x80;
export const TCS_AUTO_INCREMENT = 0x20;
export const TCS_ENABLE_PON = 0x01;
export const TCS_ENABLE_AEN = 0x02;
export const TCS_STATUS_AVALID = 0x01;

/** ID register values: 0x44 for the TCS34721/TCS34725, 0x4D for the TCS34723/TCS34727. */
export const TCS_IDS: Readonly<Record<number, string>> = { 0x44: 'TCS34725', 0x4d: 'TCS34727' };

export const TCS_GAINS = [1, 4, 16, 60] as const;
export type TcsGain = (typeof TCS_GAINS)[number];

/** One integration cycle is 2.4 ms; ATIME = 256 - cycles. */
export const TCS_CYCLE_MS = 2.4;

export function atimeFor(integrationMs: number): number {
  const cycles = Math.min(256, Math.max(1, Math.round(integrationMs / TCS_CYCLE_MS)));
  return 256 - cycles;
}

export const integrationMsFor = (atime: number): number => (256 - atime) * TCS_CYCLE_MS;

/**
 * The count at which a reading is saturated. Below 150 ms of integration the datasheet's ripple
 * limits usable counts to 75% of the maximum (ams DN40).
 */
export function saturationCount(atime: number): number {
  const full = Math.min(65535, (256 - atime) * 1024);
  return integrationMsFor(atime) < 150 ? Math.floor(full * 0.75) : full;
}

export interface Rgbc {
  c: number;
  r: number;
  g: number;
  b: number;
}

export interface RgbcReading extends Rgbc {
  saturated: boolean;
}

export interface Tcs34725Options {
  gain: TcsGain;
  integrationMs: number;
  address?: number;
  timers: Timers;
}

export class Tcs34725 {
  readonly address: number;
  readonly atime: number;
  private readonly block = Buffer.alloc(8);

  constructor(
    private readonly bus: I2cBus,
    private readonly options: Tcs34725Options,
  ) {
    this.address = options.address ?? TCS34725_ADDRESS;
    this.atime = atimeFor(options.integrationMs);
    if (!TCS_GAINS.includes(options.gain)) throw new RangeError(`gain must be one of ${TCS_GAINS.join(', ')} (got ${options.gain})`);
  }

  get integrationMs(): number {
    return integrationMsFor(this.atime);
  }

  /** Reads the ID register; throws a HardwareError naming what answered when it is not a TCS3472x. */
  async identify(): Promise<{ id: number; part: string }> {
    const id = await this.bus.readByte(this.address, TCS_CMD | TCS_REG.ID);
    const part = TCS_IDS[id];
    if (!part) {
      const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;
      throw new HardwareError(HardwareErrorCode.WrongDevice, `the device at ${hex(this.address)} is not a TCS34725 (ID register 0x12 reads ${hex(id)}, expected 0x44 or 0x4D)`);
    }
    return { id, part };
  }

  /** Identifies, configures integration time and gain, powers on, then enables the ADC. */
  async start(): Promise<void> {
    await this.identify();
    await this.write(TCS_REG.ATIME, this.atime);
    await this.write(TCS_REG.CONTROL, TCS_GAINS.indexOf(this.options.gain));
    await this.write(TCS_REG.ENABLE, TCS_ENABLE_PON);
    // The oscillator needs 2.4 ms after PON before the ADC may be enabled.
    await delay(this.options.timers, 3);
    await this.write(TCS_REG.ENABLE, TCS_ENABLE_PON | TCS_ENABLE_AEN);
  }

  /** False after a brown-out or a power cycle reset the chip (ENABLE reads 0). */
  async isRunning(): Promise<boolean> {
    const enable = await this.bus.readByte(this.address, TCS_CMD | TCS_REG.ENABLE);
    return (enable & (TCS_ENABLE_PON | TCS_ENABLE_AEN)) === (TCS_ENABLE_PON | TCS_ENABLE_AEN);
  }

  /** The latest completed integration, or undefined while the first one is still running. */
  async read(): Promise<RgbcReading | undefined> {
    const status = await this.bus.readByte(this.address, TCS_CMD | TCS_REG.STATUS);
    if ((status & TCS_STATUS_AVALID) === 0) return undefined;
    const { bytesRead } = await this.bus.readI2cBlock(this.address, TCS_CMD | TCS_AUTO_INCREMENT | TCS_REG.CDATAL, 8, this.block);
    if (bytesRead !== 8) throw new HardwareError(HardwareErrorCode.I2cIo, `short read from the TCS34725: ${bytesRead} of 8 bytes`);
    const b = this.block;
    const reading = { c: b.readUInt16LE(0), r: b.readUInt16LE(2), g: b.readUInt16LE(4), b: b.readUInt16LE(6) };
    return { ...reading, saturated: reading.c >= saturationCount(this.atime) };
  }

  async stop(): Promise<void> {
    await this.write(TCS_REG.ENABLE, 0);
  }

  private write(register: number, value: number): Promise<void> {
    return this.bus.writeByte(this.address, TCS_CMD | register, value);
  }
}
