// Where a header GPIO lives in the legacy sysfs numbering, which onoff uses. Since kernel 6.6 the
// numbers are no longer the BCM numbers: each chip's base is allocated dynamically (512 for the
// Pi 4's pinctrl-bcm2711, 571 for the Pi 5's pinctrl-rp1; see onoff issue #199). So the base is
// read at run time from /sys/class/gpio/gpiochip*/{base,label,ngpio}, under an injectable root.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SysfsGpioChip {
  /** The directory name, e.g. "gpiochip512". */
  name: string;
  base: number;
  ngpio: number;
  label: string;
}

/** Labels of the chips that drive the 40-pin header, newest boards first. */
export const PI_HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export class GpioLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpioLookupError';
  }
}

/** The chips sysfs lists, or undefined when /sys/class/gpio does not exist (e.g. Debian trixie). */
export async function readSysfsGpioChips(root: string): Promise<SysfsGpioChip[] | undefined> {
  const dir = join(root, 'sys', 'class', 'gpio');
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const chips: SysfsGpioChip[] = [];
  for (const name of entries.filter((e) => /^gpiochip\d+$/.test(e)).sort(byNumber)) {
    const read = (file: string): Promise<string> => readFile(join(dir, name, file), 'utf8').then((text) => text.trim());
    const [base, ngpio, label] = await Promise.all([read('base'), read('ngpio'), read('label')]);
    if (!/^\d+$/.test(base) || !/^\d+$/.test(ngpio)) throw new GpioLookupError(`${join(dir, name)}: base '${base}' or ngpio '${ngpio}' is not a number`);
    chips.push({ name, base: Number(base), ngpio: Number(ngpio), label });
  }
  return chips;
}

const byNumber = (a: string, b: string): number => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));

/** "GPIO17" (the header's line names) or "17" → 17. */
export function headerOffset(line: string | number): number | undefined {
  if (typeof line === 'number') return Number.isInteger(line) && line >= 0 ? line : undefined;
  const match = /^(?:GPIO)?(\d+)$/i.exec(line.trim());
  return match ? Number(match[1]) : undefined;
}

/**
 * The sysfs number of `offset` on the chip labelled `label`, or on the header chip when no label
 * is given. Errors list the chips that were found, so the user can pick a label.
 */
export function sysfsGpioNumber(chips: readonly SysfsGpioChip[], offset: number, label?: string): { number: number; chip: SysfsGpioChip } {
  const listing = chips.length ? chips.map((c) => `${c.name} [${c.label}] base ${c.base}, ${c.ngpio} lines`).join('; ') : 'none';
  let chip: SysfsGpioChip | undefined;
  if (label !== undefined) {
    chip = chips.find((c) => c.label === label);
    if (!chip) throw new GpioLookupError(`no sysfs GPIO chip labelled '${label}' (found: ${listing})`);
  } else {
    for (const known of PI_HEADER_CHIP_LABELS) {
      chip = chips.find((c) => c.label === known);
      if (chip) break;
    }
    if (!chip && chips.length === 1) chip = chips[0];
    if (!chip) throw new GpioLookupError(`cannot tell which sysfs GPIO chip drives the header; set mic.chip to one of the labels (found: ${listing})`);
  }
  if (offset >= chip.ngpio) throw new GpioLookupError(`line ${offset} is out of range on ${chip.name} [${chip.label}], which has ${chip.ngpio} lines`);
  return { number: chip.base + offset, chip };
}
