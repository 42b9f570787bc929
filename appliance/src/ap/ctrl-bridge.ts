// hostapd's control interface is a unix *datagram* socket, and Node has no unix datagram
// sockets (node:net is stream-only, node:dgram is UDP-only). Rather than a native addon, earshot
// runs this small python3 relay (Debian's python3-minimal is enough): it binds its own socket,
// connects it to hostapd's, and relays datagrams as hex lines on stdin/stdout.
//
//   Node --hex line--> python3 --datagram--> /run/hostapd/wlan0
//   Node <--hex line-- python3 <--datagram-- (replies and, after ATTACH, events)
//
// The relay's socket lives in a private temp dir that it removes when stdin closes.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CtrlTransport } from './hostapd-ctrl.js';

/**
 * The relay. It uses only what Debian's python3-minimal has (no json, no tempfile), so the image
 * needs nothing bigger: lines are "HEX\n" from Node (a command), and "r PATH", "m HEX" (a
 * datagram from hostapd) or "e HEX" (an error, then exit) back.
 */
export const BRIDGE_PY = String.raw`
import os, select, signal, socket, sys
# systemd stops the service's whole cgroup with SIGTERM: exit through finally, removing the socket.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
target = sys.argv[1]
folder = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'earshot-ctrl-%d-%s' % (os.getpid(), os.urandom(4).hex()))
local = os.path.join(folder, 'client')
def out(kind, text):
    os.write(1, ('%s %s\n' % (kind, text)).encode())
def fail(e):
    out('e', ('%s: %s' % (target, e.strerror or e)).encode().hex())
    sys.exit(1)
try:
    os.mkdir(folder, 0o700)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(local)
        sock.connect(target)
    except OSError as e:
        fail(e)
    out('r', local)
    pending = b''
    while True:
        readable, _, _ = select.select([sock, 0], [], [])
        if sock in readable:
            out('m', sock.recv(65536).hex())
        if 0 in readable:
            chunk = os.read(0, 65536)
            if not chunk:
                break
            pending += chunk
            while b'\n' in pending:
                line, pending = pending.split(b'\n', 1)
                try:
                    sock.send(bytes.fromhex(line.decode()))
                except OSError as e:
                    fail(e)
except KeyboardInterrupt:
    pass
finally:
    for remove in (os.unlink, os.rmdir):
        try:
            remove(local if remove is os.unlink else folder)
        except OSError:
            pass
`;

export interface BridgeOptions {
  python?: string;
  /** Run the relay through another command, e.g. ["ip", "netns", "exec", NS] in tests. */
  prefix?: string[];
}

/** Opens a transport to the hostapd control socket at `socketPath` (e.g. /run/hostapd/wlan0). */
export function openPythonBridge(socketPath: string, options: BridgeOptions = {}): Promise<CtrlTransport> {
  const python = options.python ?? 'python3';
  const [command, ...args] = [...(options.prefix ?? []), python, '-c', BRIDGE_PY, socketPath];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let settled = false;
    let closed = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {});
    const transport: CtrlTransport = {
      send: (message) => {
        if (!closed) child.stdin.write(`${Buffer.from(message, 'utf8').toString('hex')}\n`);
      },
      close: () => {
        if (closed) return;
        closed = true;
        child.stdin.end();
      },
    };
    const fail = (message: string): void => {
      if (!settled) {
        settled = true;
        reject(new Error(message));
      } else if (!closed) {
        closed = true;
        transport.onClose?.(message);
      }
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      const kind = line.slice(0, 2);
      const text = line.slice(2);
      if (kind === 'e ') fail(Buffer.from(text, 'hex').toString('utf8'));
      else if (kind === 'r ' && !settled) {
        settled = true;
        resolve(transport);
      } else if (kind === 'm ') transport.onMessage?.(Buffer.from(text, 'hex').toString('utf8'));
    });
    child.on('error', (error) => {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      fail(missing ? `${command} not found: it relays hostapd's control socket, as Node has no unix datagram sockets` : error.message);
    });
    child.on('exit', (code, signal) => fail(`control relay exited (${code ?? signal})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
  });
}
