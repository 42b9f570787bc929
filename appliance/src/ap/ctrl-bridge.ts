// hostapd's control interface is a unix *datagram* socket, and Node has no unix datagram
// sockets (node:net is stream-only, node:dgram is UDP-only). Rather than a native addon, earshot
// runs this small python3 relay (python3 is on Raspberry Pi OS and Debian): it binds its own
// socket, connects it to hostapd's, and relays datagrams as JSON lines on stdin/stdout.
//
//   Node --JSON line--> python3 --datagram--> /run/hostapd/wlan0
//   Node <--JSON line-- python3 <--datagram-- (replies and, after ATTACH, events)
//
// The relay's socket lives in a private temp dir that it removes when stdin closes.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CtrlTransport } from './hostapd-ctrl.js';

export const BRIDGE_PY = String.raw`
import json, os, select, socket, sys, tempfile
target = sys.argv[1]
folder = tempfile.mkdtemp(prefix='earshot-ctrl-')
local = os.path.join(folder, 'client')
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def out(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()
def cleanup():
    for f in (lambda: os.unlink(local), lambda: os.rmdir(folder)):
        try: f()
        except OSError: pass
try:
    try:
        sock.bind(local)
        sock.connect(target)
    except OSError as e:
        out({'error': '%s: %s' % (target, e.strerror or e)})
        sys.exit(1)
    out({'ready': local})
    pending = b''
    while True:
        readable, _, _ = select.select([sock, 0], [], [])
        if sock in readable:
            data = sock.recv(65536)
            out({'m': data.decode('utf-8', 'replace')})
        if 0 in readable:
            chunk = os.read(0, 65536)
            if not chunk:
                break
            pending += chunk
            while b'\n' in pending:
                line, pending = pending.split(b'\n', 1)
                try:
                    sock.send(json.loads(line).encode('utf-8'))
                except OSError as e:
                    out({'error': '%s: %s' % (target, e.strerror or e)})
                    sys.exit(1)
except KeyboardInterrupt:
    pass
finally:
    cleanup()
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
        if (!closed) child.stdin.write(`${JSON.stringify(message)}\n`);
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
      let value: { m?: string; ready?: string; error?: string };
      try {
        value = JSON.parse(line);
      } catch {
        return;
      }
      if (value.error !== undefined) fail(value.error);
      else if (value.ready !== undefined && !settled) {
        settled = true;
        resolve(transport);
      } else if (value.m !== undefined) transport.onMessage?.(value.m);
    });
    child.on('error', (error) => {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      fail(missing ? `${command} not found: it relays hostapd's control socket, as Node has no unix datagram sockets` : error.message);
    });
    child.on('exit', (code, signal) => fail(`control relay exited (${code ?? signal})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
  });
}
