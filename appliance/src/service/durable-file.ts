// Writes that survive a power cut on an SD card: the bytes are fsynced before the rename makes
// them the file, and the directory is fsynced after it so the rename itself is on the card.
// Without the first fsync a crash can leave a renamed but empty file; without the second, the
// old file can come back.

import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Replaces `path` with `text` atomically and durably (temporary file, fsync, rename, fsync dir). */
export async function writeFileDurably(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.tmp`);
  await writeAndSync(temporary, 'w', text, 'all');
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Appends `text` and fsyncs it, so a line the caller waited for is on the card. */
export async function appendDurably(path: string, text: string): Promise<void> {
  await writeAndSync(path, 'a', text, 'data');
}

/** Writes (`w`) or appends (`a`), then fsyncs everything or only the data before closing. */
async function writeAndSync(path: string, flags: 'w' | 'a', text: string, sync: 'all' | 'data'): Promise<void> {
  const file = await open(path, flags, 0o600);
  try {
    await file.writeFile(text, 'utf8');
    await (sync === 'all' ? file.sync() : file.datasync());
  } finally {
    await file.close();
  }
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems (and FAT) refuse fsync on a directory; the rename is as durable as they allow.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL' && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}
