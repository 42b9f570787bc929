// systemd's notify protocol (Type=notify, WatchdogSec=): READY=1 once capturing, then a watchdog
// ping every half interval. Node has no unix datagram sockets, so this runs `systemd-notify`,
// which needs NotifyAccess=all in the unit. Without NOTIFY_SOCKET (not under systemd) it does
// nothing, like zigbee2mqtt's sd-notify.

import { execFile } from 'node:child_process';

export interface Notifier {
  ready(status: string): void;
  status(status: string): void;
  stopping(): void;
  close(): void;
}

export type NotifyRunner = (args: string[]) => void;

const runSystemdNotify: NotifyRunner = (args) => void execFile('systemd-notify', args, () => undefined);

export function createNotifier(env: Record<string, string | undefined> = process.env, run: NotifyRunner = runSystemdNotify, pid = process.pid): Notifier {
  if (!env.NOTIFY_SOCKET) return { ready: () => {}, status: () => {}, stopping: () => {}, close: () => {} };
  let watchdog: NodeJS.Timeout | undefined;
  const intervalUs = Number(env.WATCHDOG_USEC ?? 0);
  // --pid names the service's main process: systemd-notify may exit before systemd looks it up.
  const from = `--pid=${pid}`;
  return {
    ready(status) {
      run([from, '--ready', `--status=${status}`]);
      if (intervalUs > 0 && !watchdog) {
        watchdog = setInterval(() => run([from, 'WATCHDOG=1']), intervalUs / 2000);
        watchdog.unref();
      }
    },
    status: (status) => run([from, `--status=${status}`]),
    stopping: () => run([from, 'STOPPING=1']),
    close: () => clearInterval(watchdog),
  };
}
