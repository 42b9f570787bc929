// The I2C capability the drivers need: a structural subset of i2c-bus's PromisifiedBus, so the
// real bus fits as is and a fake that speaks a device's register protocol can stand in for it.

export interface I2cBus {
  /** SMBus read byte data: writes `command`, reads one byte. */
  readByte(address: number, command: number): Promise<number>;
  /** SMBus write byte data: writes `command` then `byte`. */
  writeByte(address: number, command: number, byte: number): Promise<void>;
  /** I2C block read: writes `command`, reads `length` bytes into `buffer`. */
  readI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  /** SMBus send byte: one byte, no register (BH1750 opcodes). */
  sendByte(address: number, byte: number): Promise<void>;
  /** Plain I2C read of `length` bytes. */
  i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  close(): Promise<void>;
}

export type I2cOpener = (busNumber: number) => Promise<I2cBus>;

/** The real bus. i2c-bus is imported here only, so pure tests never load the native addon. */
export const openI2cBus: I2cOpener = async (busNumber) => {
  const { openPromisified } = await import('i2c-bus');
  return openPromisified(busNumber);
};
