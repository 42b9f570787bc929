// When the CLI colours its output: a TTY only, never with NO_COLOR or TERM=dumb.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourWanted, palette } from '../../appliance/src/cli/colour.js';
import { formatCheck } from '../../appliance/src/cli/doctor-command.js';

test('colour on a TTY with an ordinary TERM', () => {
  assert.equal(colourWanted(true, { TERM: 'xterm-256color' }), true);
  assert.equal(colourWanted(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
});

test('no colour off a TTY, with NO_COLOR, or with TERM=dumb', () => {
  assert.equal(colourWanted(false, { TERM: 'xterm' }), false);
  assert.equal(colourWanted(undefined, {}), false);
  assert.equal(colourWanted(true, { NO_COLOR: '1', TERM: 'xterm' }), false);
  assert.equal(colourWanted(true, { TERM: 'dumb' }), false);
});

test('the palette paints only when enabled, and doctor labels keep their columns', () => {
  assert.equal(palette(true).red('FAIL'), '\u001b[31mFAIL\u001b[39m');
  assert.equal(palette(false).red('FAIL'), 'FAIL');
  const result = { name: 'capture', status: 'fail', detail: 'cannot open' } as const;
  assert.equal(formatCheck(result), '  FAIL  capture        cannot open\n');
  assert.equal(formatCheck(result, palette(true)), '  \u001b[31mFAIL\u001b[39m  capture        cannot open\n');
});
