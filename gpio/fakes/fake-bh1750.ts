// A BH1750 on a fake I2C bus: opcodes as single bytes (power on, reset, measurement modes) and a
// two-byte big-endian result that is only valid once powered on and measuring.

import type { I2cBus } from '../i2c/i2c-bus.js';
import { i2cErrno } from './fake-tcs34725.js';

export class FakeBh1750Bus implements I2cBus {
  readonly sent: number[] = [];
  lux = 0;
  connected = true;
  private powered = false;
  private measuring = false;

  constructor(readonly address = 0x23) {}

  async sendByte(address: number, byte: number): Promise<void> {
    this.check(address);
    this.sent.push(byte);
    if (byte === 0x00) this.powered = this.measuring = false;
    else if (byte === 0x01) this.powered = true;
    else if (byte === 0x07 && !this.powered) throw new Error('BH1750 protocol: reset (0x07) is only accepted when powered on');
    else if ([0x10, 0x11, 0x13, 0x20, 0x21, 0x23].includes(byte)) this.measuring = true;
  }

  async i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }> {
    this.check(address);
    const count = this.powered && this.measuring ? Math.min(0xffff, Math.round(this.lux * 1.2)) : 0;
    buffer.writeUInt16BE(count, 0);
    return { bytesRead: Math.min(length, 2), buffer };
  }

  async readByte(): Promise<number> {
    throw new Error('BH1750 has no registers: use sendByte/i2cRead');
  }

  async writeByte(): Promise<void> {
    throw new Error('BH1750 has no registers: use sendByte/i2cRead');
  }

  async readI2cBlock(): Promise<{ bytesRead: number; buffer: Buffer }> {
    throw new Error('BH1750 has no registers: use sendByte/i2cRead');
  }

  async close(): Promise<void> {}

  private check(address: number): void {
    if (!this.connected || address !== this.address) throw i2cErrno('EREMOTEIO');
  }
}
