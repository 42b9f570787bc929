// Files the services read are replaced atomically: written to a temporary file in the same
// directory, flushed, then renamed over the old one. A reader (or a power cut, on a box that is
// unplugged without warning) sees the old file or the new one, never half of one.

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes and fsyncs `.NAME.tmp-XXXX` next to `path`; returns its path. */
export async function writeTemp(path: string, content: string, mode: number): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    // open() applies the umask; chmod makes the mode exact (hostapd.conf must stay 0600).
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Renames the temp file into place and fsyncs the directory so the rename itself is durable. */
export async function commitTemp(temp: string, path: string): Promise<void> {
  await rename(temp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  await commitTemp(await writeTemp(path, content, mode), path);
}
