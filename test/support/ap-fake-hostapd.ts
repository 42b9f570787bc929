// A fake hostapd control interface that speaks the real protocol: a unix datagram server (in
// python3, as Node has no unix datagram sockets) that answers PING with PONG, ATTACH/DETACH with
// OK, lists stations for STA-FIRST/STA-NEXT and sends events to attached clients, events first
// and then the reply, as hostapd does. The test drives it through stdin:
//   {"event": "<3>AP-STA-CONNECTED ..."}   send to every attached client
//   {"stations": ["44:65:0d:..."]}          what STA-FIRST/STA-NEXT list
//   {"silent": true}                       stop answering (a hung hostapd)
//   {"before_reply": "<3>..."}             send this event just before the next reply, as the
//                                          real hostapd does when a command causes an event
// It prints {"ready": PATH}, then {"got": COMMAND} for every datagram it receives.

import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessOutput } from './netns.js';

const FAKE_PY = String.raw`
import json, os, select, socket, sys
path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
attached, stations, silent, before_reply = set(), [], False, None
def out(obj):
    sys.stdout.write(json.dumps(obj) + '\n'); sys.stdout.flush()
out({'ready': path})
pending = b''
try:
    while True:
        readable, _, _ = select.select([sock, 0], [], [])
        if 0 in readable:
            chunk = os.read(0, 65536)
            if not chunk: break
            pending += chunk
            while b'\n' in pending:
                line, pending = pending.split(b'\n', 1)
                order = json.loads(line)
                if 'event' in order:
                    for peer in list(attached):
                        try: sock.sendto(order['event'].encode(), peer)
                        except OSError: attached.discard(peer)
                if 'stations' in order: stations = order['stations']
                if 'silent' in order: silent = order['silent']
                if 'before_reply' in order: before_reply = order['before_reply']
                out({'done': list(order.keys())[0]})
        if sock in readable:
            data, peer = sock.recvfrom(4096)
            command = data.decode()
            out({'got': command})
            if silent: continue
            if command == 'PING': reply = 'PONG\n'
            elif command == 'ATTACH': attached.add(peer); reply = 'OK\n'
            elif command == 'DETACH': attached.discard(peer); reply = 'OK\n'
            elif command == 'STA-FIRST': reply = (stations[0] + '\nflags=[AUTH][ASSOC][AUTHORIZED]\naid=1\n') if stations else ''
            elif command.startswith('STA-NEXT '):
                mac = command.split(' ', 1)[1]
                i = stations.index(mac) + 1 if mac in stations else len(stations)
                reply = (stations[i] + '\nflags=[AUTH][ASSOC][AUTHORIZED]\naid=%d\n' % (i + 1)) if i < len(stations) else ''
            else: reply = 'UNKNOWN COMMAND\n'
            if before_reply is not None:
                for client in list(attached): sock.sendto(before_reply.encode(), client)
                before_reply = None
            sock.sendto(reply.encode(), peer)
finally:
    os.unlink(path)
`;

function parse(line: string): { got?: string; done?: string } | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export class FakeHostapd {
  readonly output: ProcessOutput;
  private constructor(
    readonly path: string,
    private readonly child: ChildProcess,
  ) {
    this.output = new ProcessOutput(child);
  }

  static async start(path: string): Promise<FakeHostapd> {
    const child = spawn('python3', ['-c', FAKE_PY, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => {});
    const fake = new FakeHostapd(path, child);
    await fake.output.waitFor((line) => (line.includes('"ready"') ? true : undefined), 10_000, 'the fake hostapd to bind');
    return fake;
  }

  private async order(order: object, key: string): Promise<void> {
    const seen = this.output.lines.length;
    this.child.stdin!.write(`${JSON.stringify(order)}\n`);
    let index = 0;
    await this.output.waitFor((line) => (index++ >= seen && parse(line)?.done === key ? true : undefined), 5000, `the fake to take ${key}`);
  }

  sendEvent(text: string): Promise<void> {
    return this.order({ event: text }, 'event');
  }

  setStations(macs: string[]): Promise<void> {
    return this.order({ stations: macs }, 'stations');
  }

  sendEventBeforeNextReply(text: string): Promise<void> {
    return this.order({ before_reply: text }, 'before_reply');
  }

  setSilent(silent: boolean): Promise<void> {
    return this.order({ silent }, 'silent');
  }

  /** Commands received so far. */
  get received(): string[] {
    return this.output.lines.map((l) => parse(l)?.got).filter((c): c is string => c !== undefined);
  }

  waitForCommand(command: string, timeoutMs = 5000): Promise<true> {
    return this.output.waitFor((line) => (parse(line)?.got === command ? true : undefined), timeoutMs, `the fake to receive ${command}`);
  }

  /** Exits like a hostapd that goes away: its socket file disappears. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}
