// Follows dnsmasq's leases file. dnsmasq rewrites it in place after every DHCP exchange, and it
// may not exist before the first one, so the file is polled by stat (fs.watchFile), which copes
// with both; a lease is minutes long, a poll second is plenty.

import { readFile, unwatchFile, watchFile, type Stats } from 'node:fs';
import { parseLeases, type Lease } from './leases.js';

export class LeaseWatcher {
  private readonly listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) this.read();
  };

  constructor(
    readonly path: string,
    private readonly onLeases: (leases: Lease[]) => void,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    watchFile(this.path, { interval: this.intervalMs, persistent: false }, this.listener);
    this.read();
  }

  stop(): void {
    unwatchFile(this.path, this.listener);
  }

  private read(): void {
    readFile(this.path, 'utf8', (error, text) => {
      // No file yet means no leases yet.
      this.onLeases(error ? [] : parseLeases(text));
    });
  }
}
