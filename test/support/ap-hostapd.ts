// Helpers for tests that run the real hostapd: rendering a config for a test directory, waiting
// for its control socket, and reading values back the way hostapd escapes them.

import { existsSync } from 'node:fs';
import { checkApSection, type ApConfig } from '../../appliance/src/ap/config.js';
import type { ApInput } from './ap-configs.js';

export function checkedAp(section: ApInput): ApConfig {
  const result = checkApSection(section);
  if (!result.ok) throw new Error(`test config is invalid: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return result.value;
}

/** Waits for a path (hostapd's control socket) to appear; rejects after timeoutMs. */
export async function waitForPath(path: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (!isAlive()) throw new Error(`the process that should create ${path} exited`);
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Undoes hostapd's printf_encode (\\, \", \e, \n, \r, \t, \xNN) and reads the bytes as UTF-8. */
export function hostapdUnescape(text: string): string {
  const bytes: number[] = [];
  const simple: Record<string, number> = { '\\': 92, '"': 34, e: 27, n: 10, r: 13, t: 9 };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      bytes.push(...Buffer.from(text[i], 'latin1'));
      continue;
    }
    const next = text[i + 1];
    if (next === 'x') {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
