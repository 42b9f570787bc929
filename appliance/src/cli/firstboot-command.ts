// `earshot firstboot --boot-config FILE --out DIR`: checks the boot partition's earshot.conf with
// the service's and the access point's validation, and writes what the image's first-boot script
// installs (os-image/firstboot/earshot-firstboot). A bad config exits 2 with one line, before
// anything is written, so the script can show the fault LED and leave the box as it was.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_OK, UsageError, type CliIo } from './cli-io.js';
import { prepareFirstBoot } from './firstboot-config.js';
import { describeFsError } from './inputs.js';

export const FIRSTBOOT_USAGE = 'firstboot --boot-config FILE --out DIR';

export async function firstbootCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'boot-config': { type: 'string' }, out: { type: 'string' } }, strict: true, allowPositionals: false });
  const file = values['boot-config'];
  if (!file) throw new UsageError('firstboot: --boot-config FILE is required');
  if (!values.out) throw new UsageError('firstboot: --out DIR is required');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read config: ${describeFsError(error)}`);
  }
  // Errors name the file as the user knows it on their PC: earshot.conf, not a mount path.
  const files = prepareFirstBoot(text, basename(file));
  await mkdir(values.out, { recursive: true, mode: 0o700 });
  const outputs: [string, string, number][] = [
    ['earshot.yaml', files.serviceConfig, 0o640],
    [files.apNetwork.name, files.apNetwork.content, 0o644],
    ['earshot.conf.applied', files.redacted, 0o644],
  ];
  if (files.authorizedKeys) outputs.push(['authorized_keys', files.authorizedKeys, 0o600]);
  if (files.statusPageToken) outputs.push(['status-page.token', `${files.statusPageToken}\n`, 0o600]);
  for (const [name, content, mode] of outputs) {
    await writeFile(join(values.out, name), content, { mode });
    io.stdout(`wrote ${join(values.out, name)}\n`);
  }
  return EXIT_OK;
}
