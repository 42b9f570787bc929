// A TCS34725 on a fake I2C bus that speaks the chip's register protocol, so the real driver runs
// above it: the command byte (CMD bit, repeated-byte vs auto-increment, register address), the
// register file with its reset values, ENABLE/ATIME/CONTROL taking effect, AVALID after the first
// integration, counts that scale with gain and integration time and clip at the maximum count.
// Light comes from a scene: counts per millisecond of integration at 1x gain, per channel.

import type { Clock } from '../clock.js';
import type { Rgbc } from '../colour/tcs34725.js';
import type { I2cBus } from '../i2c/i2c-bus.js';

export type LightScene = (timeMs: number) => Rgbc;

const GAIN_FACTORS = [1, 4, 16, 60];
const CMD = 0x80;

/** An error shaped like the ones i2c-bus throws (errno codes from the kernel). */
export function i2cErrno(code: 'EREMOTEIO' | 'EIO' | 'ENOENT' | 'EACCES' | 'ETIMEDOUT', message?: string): NodeJS.ErrnoException {
  const error = new Error(message ?? `${code}, ${code === 'EREMOTEIO' ? 'Remote I/O error' : 'I/O error'}`) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

export class FakeTcs34725Bus implements I2cBus {
  readonly address: number;
  readonly registers = new Uint8Array(0x20);
  /** Every transfer, e.g. "write 0x80 0x03" or "read 0xb4 x8", for asserting the protocol. */
  readonly transfers: string[] = [];
  scene: LightScene;
  private enabledAtMs: number | undefined;
  private pointer = { register: 0, autoIncrement: false };
  private connected = true;
  private failuresLeft = 0;
  private failureCode: 'EIO' | 'ETIMEDOUT' = 'EIO';
  closed = false;

  constructor(
    private readonly clock: Clock,
    options: { id?: number; address?: number; scene?: LightScene } = {},
  ) {
    this.address = options.address ?? 0x29;
    this.scene = options.scene ?? (() => ({ c: 0, r: 0, g: 0, b: 0 }));
    this.powerCycle();
    this.registers[0x12] = options.id ?? 0x44;
  }

  /** Power-on reset: ENABLE 0, ATIME 0xFF, everything else 0 except the ID. */
  powerCycle(): void {
    const id = this.registers[0x12];
    this.registers.fill(0);
    this.registers[0x01] = 0xff;
    this.registers[0x03] = 0xff;
    this.registers[0x12] = id;
    this.enabledAtMs = undefined;
  }

  /** The sensor's wires come loose: every transfer is NACKed (EREMOTEIO) until reconnect(). */
  disconnect(): void {
    this.connected = false;
  }

  reconnect(): void {
    this.connected = true;
  }

  /** The next `count` transfers fail with `code` (bus noise, a marginal pull-up). */
  failNext(count: number, code: 'EIO' | 'ETIMEDOUT' = 'EIO'): void {
    this.failuresLeft = count;
    this.failureCode = code;
  }

  async readByte(address: number, command: number): Promise<number> {
    this.transfer(address, `read 0x${hex(command)}`);
    this.command(command);
    return this.readPointer();
  }

  async writeByte(address: number, command: number, byte: number): Promise<void> {
    this.transfer(address, `write 0x${hex(command)} 0x${hex(byte)}`);
    this.command(command);
    this.writeRegister(this.pointer.register, byte & 0xff);
  }

  async readI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }> {
    this.transfer(address, `read 0x${hex(command)} x${length}`);
    this.command(command);
    for (let i = 0; i < length; i++) buffer[i] = this.readPointer();
    return { bytesRead: length, buffer };
  }

  async sendByte(address: number, byte: number): Promise<void> {
    this.transfer(address, `send 0x${hex(byte)}`);
    this.command(byte);
  }

  async i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }> {
    this.transfer(address, `read x${length}`);
    for (let i = 0; i < length; i++) buffer[i] = this.readPointer();
    return { bytesRead: length, buffer };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Handles opened by openHandle() and not closed yet. */
  openHandles = 0;

  /**
   * A new bus handle on the same chip, as each i2c-bus open gives: closing it does not close the
   * chip's other handles, and the chip keeps its registers across handles.
   */
  openHandle(): I2cBus {
    let closed = false;
    this.openHandles++;
    const live = (): this => {
      if (closed) throw new Error('bus is closed');
      return this;
    };
    return {
      readByte: (address, command) => live().readByte(address, command),
      writeByte: (address, command, byte) => live().writeByte(address, command, byte),
      readI2cBlock: (address, command, length, buffer) => live().readI2cBlock(address, command, length, buffer),
      sendByte: (address, byte) => live().sendByte(address, byte),
      i2cRead: (address, length, buffer) => live().i2cRead(address, length, buffer),
      close: async () => {
        if (!closed) this.openHandles--;
        closed = true;
      },
    };
  }

  private transfer(address: number, what: string): void {
    if (this.closed) throw new Error('bus is closed');
    if (!this.connected || address !== this.address) throw i2cErrno('EREMOTEIO');
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw i2cErrno(this.failureCode);
    }
    this.transfers.push(what);
  }

  private command(byte: number): void {
    if ((byte & CMD) === 0) throw new Error(`TCS34725 protocol: command byte 0x${hex(byte)} lacks the CMD bit (0x80)`);
    const type = (byte >> 5) & 0x03;
    if (type === 0b10) throw new Error(`TCS34725 protocol: command byte 0x${hex(byte)} uses the reserved transaction type 10`);
    if (type === 0b11) return; // special function (interrupt clear): no register pointer change
    this.pointer = { register: byte & 0x1f, autoIncrement: type === 0b01 };
  }

  private readPointer(): number {
    const value = this.readRegister(this.pointer.register);
    if (this.pointer.autoIncrement) this.pointer.register = (this.pointer.register + 1) & 0x1f;
    return value;
  }

  private writeRegister(register: number, value: number): void {
    // ID, STATUS and the data registers are read-only.
    if (register === 0x12 || register >= 0x13) return;
    if (register === 0x00) {
      const wasRunning = (this.registers[0] & 0x03) === 0x03;
      const running = (value & 0x03) === 0x03;
      if (running && !wasRunning) this.enabledAtMs = this.clock.now();
      if (!running) this.enabledAtMs = undefined;
    }
    this.registers[register] = value;
  }

  private readRegister(register: number): number {
    if (register === 0x13 || (register >= 0x14 && register <= 0x1b)) this.integrate();
    return this.registers[register];
  }

  /** Fills STATUS and the data registers from the last completed integration cycle. */
  private integrate(): void {
    if (this.enabledAtMs === undefined) return;
    const cycles = 256 - this.registers[0x01];
    const integrationMs = cycles * 2.4;
    const completed = Math.floor((this.clock.now() - this.enabledAtMs) / integrationMs);
    if (completed < 1) return;
    const endMs = this.enabledAtMs + completed * integrationMs;
    const light = this.scene(endMs);
    const gain = GAIN_FACTORS[this.registers[0x0f] & 0x03];
    const max = Math.min(65535, cycles * 1024);
    const counts = [light.c, light.r, light.g, light.b].map((perMs) => Math.min(max, Math.max(0, Math.round(perMs * integrationMs * gain))));
    counts.forEach((count, i) => {
      this.registers[0x14 + 2 * i] = count & 0xff;
      this.registers[0x15 + 2 * i] = count >> 8;
    });
    this.registers[0x13] |= 0x01;
  }
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');
