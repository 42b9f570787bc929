// The commander layer of `earshot`, in-process: version, help with an example, and one-line errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../appliance/src/cli/main.js';
import { EARSHOT_VERSION } from '../../appliance/src/version.js';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

test('earshot --version prints the version, exit 0', async () => {
  assert.deepEqual(await cli('--version'), { code: 0, stdout: `${EARSHOT_VERSION}\n`, stderr: '' });
});

test('earshot -V prints the version, exit 0', async () => {
  assert.deepEqual(await cli('-V'), { code: 0, stdout: `${EARSHOT_VERSION}\n`, stderr: '' });
});

test('earshot help replay prints its usage and an example, exit 0', async () => {
  const { code, stdout } = await cli('help', 'replay');
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: earshot replay CAPTURE \[options\]/);
  assert.match(stdout, /--jsonl/);
  assert.match(stdout, /Examples:\n {2}earshot replay \S+\.pcap/);
});

test('earshot replay --bogus names the option and shows the usage, exit 2', async () => {
  const { code, stdout, stderr } = await cli('replay', '--bogus');
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr, "earshot replay: unknown option '--bogus'\nusage: earshot replay CAPTURE [options]\n");
});

test('earshot replay without a capture names the missing argument, exit 2', async () => {
  const { code, stderr } = await cli('replay');
  assert.equal(code, 2);
  assert.equal(stderr, "earshot replay: missing required argument 'CAPTURE'\nusage: earshot replay CAPTURE [options]\n");
});

test('a HardwareError from a command is one line and exit 3; an InputError stays exit 2', async () => {
  const { dispatch } = await import('../../appliance/src/cli/main.js');
  const { HardwareError, InputError } = await import('../../appliance/src/input-error.js');
  const commands = {
    open: async () => ({ usage: 'open', run: async (): Promise<number> => { throw new HardwareError('interface es-nosuch0', 'cannot open: No such device'); } }),
    bad: async () => ({ usage: 'bad', run: async (): Promise<number> => { throw new InputError('x.yaml: capture.interface: must be a string'); } }),
  };
  let stderr = '';
  const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t) };
  assert.equal(await dispatch('earshot', commands, ['open'], io), 3);
  assert.equal(stderr, 'earshot open: interface es-nosuch0: cannot open: No such device\n');
  stderr = '';
  assert.equal(await dispatch('earshot', commands, ['bad'], io), 2);
  assert.equal(stderr, 'earshot bad: x.yaml: capture.interface: must be a string\n');
});
