import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GpioLookupError, headerOffset, readSysfsGpioChips, sysfsGpioNumber } from '../../gpio/wire/gpiochip-base.js';
import { fixturePath } from '../fixtures/gpio/load.js';

const tree = (name: string): string => fixturePath(`sysfs/${name}`);

test('on a Pi 4 with kernel 6.6, GPIO17 is sysfs 529 (base 512)', async () => {
  const chips = await readSysfsGpioChips(tree('pi4-kernel-6.6'));
  assert.ok(chips);
  assert.deepEqual(
    chips.map((c) => [c.name, c.base, c.ngpio, c.label]),
    [
      ['gpiochip512', 512, 58, 'pinctrl-bcm2711'],
      ['gpiochip570', 570, 8, 'raspberrypi-exp-gpio'],
    ],
  );
  const { number, chip } = sysfsGpioNumber(chips, 17);
  assert.equal(number, 529);
  assert.equal(chip.label, 'pinctrl-bcm2711');
});

test('on a Pi 5 with kernel 6.6, the header is the RP1 at base 571, not the first chip', async () => {
  const chips = await readSysfsGpioChips(tree('pi5-kernel-6.6'));
  assert.ok(chips);
  assert.equal(chips.length, 5);
  assert.equal(chips[0].label, 'gpio-brcmstb@107d508500', 'sorted by base, the SoC chip comes first');
  assert.equal(sysfsGpioNumber(chips, 17).number, 588);
});

test('on an older kernel the base is 0 and the number is the BCM number', async () => {
  const chips = await readSysfsGpioChips(tree('pi4-kernel-6.1'));
  assert.ok(chips);
  assert.equal(sysfsGpioNumber(chips, 17).number, 17);
});

test('without /sys/class/gpio (Debian trixie) the lookup says there is no sysfs GPIO', async () => {
  assert.equal(await readSysfsGpioChips(tree('pi5-trixie-i2c-off')), undefined);
});

test('a chip can be chosen by label; an unknown label lists what exists', async () => {
  const chips = (await readSysfsGpioChips(tree('pi4-kernel-6.6')))!;
  assert.equal(sysfsGpioNumber(chips, 3, 'raspberrypi-exp-gpio').number, 573);
  assert.throws(
    () => sysfsGpioNumber(chips, 3, 'pinctrl-rp1'),
    (error: unknown) =>
      error instanceof GpioLookupError &&
      error.message === "no sysfs GPIO chip labelled 'pinctrl-rp1' (found: gpiochip512 [pinctrl-bcm2711] base 512, 58 lines; gpiochip570 [raspberrypi-exp-gpio] base 570, 8 lines)",
  );
});

test('an offset past the chip is refused, naming the chip and its size', async () => {
  const chips = (await readSysfsGpioChips(tree('pi4-kernel-6.6')))!;
  assert.throws(() => sysfsGpioNumber(chips, 58), /line 58 is out of range on gpiochip512 \[pinctrl-bcm2711\], which has 58 lines/);
});

test('with several unknown chips and no label, the lookup asks for mic.chip instead of guessing', async () => {
  const chips = (await readSysfsGpioChips(tree('two-unknown-chips')))!;
  assert.throws(() => sysfsGpioNumber(chips, 1), /cannot tell which sysfs GPIO chip drives the header; set mic.chip/);
});

test('header line names map to offsets', () => {
  assert.equal(headerOffset('GPIO17'), 17);
  assert.equal(headerOffset('gpio4'), 4);
  assert.equal(headerOffset('17'), 17);
  assert.equal(headerOffset(27), 27);
  assert.equal(headerOffset('ID_SDA'), undefined);
  assert.equal(headerOffset(-1), undefined);
});
