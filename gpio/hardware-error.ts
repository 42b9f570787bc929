// Errors from hardware the user can fix, with a code and a one-line message that says what, where
// and what to do. Codes are grouped like zwave-js's: 1xx GPIO, 2xx I2C, 3xx sensor content.

export const HardwareErrorCode = {
  GpioToolMissing: 101,
  GpioToolFailed: 102,
  GpioLineNotFound: 103,
  GpioNoBackend: 104,
  GpioChipNotFound: 105,
  I2cBusMissing: 201,
  I2cPermission: 202,
  I2cNoDevice: 203,
  I2cIo: 204,
  WrongDevice: 301,
  NotCalibrated: 302,
  CalibrationInvalid: 303,
} as const;
export type HardwareErrorCode = (typeof HardwareErrorCode)[keyof typeof HardwareErrorCode];

export class HardwareError extends Error {
  constructor(
    readonly code: HardwareErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HardwareError';
  }
}

export const isHardwareError = (error: unknown): error is HardwareError => error instanceof HardwareError;

/** The errno code of a Node or native-addon error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * One line for an I2C failure. i2c-bus opens /dev/i2c-N lazily, on the first transfer, so a
 * missing bus shows up here as ENOENT rather than at open time.
 */
export function describeI2cError(error: unknown, bus: number, address: number): HardwareError {
  if (isHardwareError(error)) return error;
  const where = `/dev/i2c-${bus} address 0x${address.toString(16).padStart(2, '0')}`;
  switch (errnoCode(error)) {
    case 'ENOENT':
      return new HardwareError(HardwareErrorCode.I2cBusMissing, `/dev/i2c-${bus} does not exist; enable I2C (raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in config.txt) and reboot`);
    case 'EACCES':
    case 'EPERM':
      return new HardwareError(HardwareErrorCode.I2cPermission, `permission denied on /dev/i2c-${bus}; add the service user to the i2c group`);
    case 'EREMOTEIO':
    case 'ENXIO':
      return new HardwareError(HardwareErrorCode.I2cNoDevice, `no device answers at ${where}; check the sensor's wiring (SDA pin 3, SCL pin 5, 3V3, GND)`);
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new HardwareError(HardwareErrorCode.I2cIo, `I2C error at ${where}: ${detail.split('\n')[0]}`);
    }
  }
}
