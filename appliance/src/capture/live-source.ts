// A PacketSource over a live interface, through node_pcap (libpcap). See docs/capture.md for
// why these settings and why node_pcap rather than `cap`.

import { endianness } from 'node:os';
import pcap from 'pcap';
import { LinkType, type CapturedFrame } from '../decode/types.js';
import { HardwareError } from '../input-error.js';
import { type CaptureStats, type PacketSource } from './packet-source.js';

export interface LiveSourceOptions {
  /** BPF filter expression, e.g. "host 192.168.1.23". */
  filter?: string;
  /** Kernel ring size in bytes; 32 MiB gave zero drops at 20k pkt/s. */
  bufferSize?: number;
  /** Packet buffer timeout in ms. Never 0: that selects immediate mode (see docs/capture.md). */
  bufferTimeoutMs?: number;
  snapLength?: number;
  promiscuous?: boolean;
  /** Called once the interface is open and capturing, before any frame is delivered. */
  onOpen?: (linkType: number) => void;
  /** libpcap warnings (e.g. "no IPv4 address assigned"), which only matter to netmask filters. */
  onWarning?: (message: string) => void;
}

export const LIVE_DEFAULTS = {
  bufferSize: 32 * 1024 * 1024,
  bufferTimeoutMs: 50,
  snapLength: 262144,
  promiscuous: true,
} as const;

const LINK_TYPE_NAMES: Record<string, number> = {
  LINKTYPE_NULL: LinkType.NULL,
  LINKTYPE_ETHERNET: LinkType.ETHERNET,
  LINKTYPE_RAW: LinkType.RAW,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
  LINKTYPE_IEEE802_11_RADIO: 127,
};

/** node_pcap reports link types as strings; this maps them back to LINKTYPE_* numbers. */
export function linkTypeNumber(name: string): number {
  const known = LINK_TYPE_NAMES[name];
  if (known !== undefined) return known;
  const unknown = /^Unknown linktype (\d+)$/.exec(name);
  if (unknown) return Number(unknown[1]);
  throw new Error(`unrecognised link type from node_pcap: ${JSON.stringify(name)}`);
}

/** pcap.js keeps the buffers it hands to every dispatch() on the session (not in its typings). */
type Session = ReturnType<typeof pcap.createSession> & { buf: Buffer; header: Buffer };

export class LiveSource implements PacketSource {
  readonly description: string;
  private session: Session | undefined;
  private finalStats: CaptureStats | undefined;
  private settle: ((error?: unknown) => void) | undefined;
  private stopped = false;
  linkType: number | undefined;

  constructor(
    readonly iface: string,
    private readonly options: LiveSourceOptions = {},
  ) {
    this.description = `interface ${iface}`;
  }

  run(onFrame: (frame: CapturedFrame) => void): Promise<void> {
    if (this.session || this.stopped) return Promise.reject(new Error(`${this.description}: run() may only be called once`));
    return new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
      let session: Session;
      try {
        session = this.open();
      } catch (error) {
        this.settle = undefined;
        reject(error);
        return;
      }
      // node_pcap writes every packet into the same two buffers, so bytes are copied right here.
      const data = new Uint8Array(session.buf.buffer, session.buf.byteOffset, session.buf.byteLength);
      const header = new DataView(session.header.buffer, session.header.byteOffset, 16);
      const le = endianness() === 'LE';
      const linkType = this.linkType as number;
      session.on('packet', () => {
        if (this.stopped) return;
        const caplen = Math.min(header.getUint32(8, le), data.length);
        const frame: CapturedFrame = {
          timeUs: header.getUint32(0, le) * 1e6 + header.getUint32(4, le),
          originalLength: header.getUint32(12, le),
          linkType,
          bytes: data.slice(0, caplen),
        };
        // An exception escaping this native callback would kill the process (Nan::FatalException).
        try {
          onFrame(frame);
        } catch (error) {
          this.finish(error);
        }
      });
      this.options.onOpen?.(linkType);
    });
  }

  /** Stops capturing and resolves run(). Frames still in the kernel ring are discarded. */
  stop(): void {
    this.finish(undefined);
  }

  stats(): CaptureStats {
    if (this.finalStats) return this.finalStats;
    if (!this.session) return { received: 0, dropped: 0, interfaceDropped: 0 };
    const s = this.session.stats();
    return { received: s.ps_recv, dropped: s.ps_drop, interfaceDropped: s.ps_ifdrop };
  }

  private open(): Session {
    const previousHandler = pcap.warningHandler;
    const onWarning = this.options.onWarning;
    setWarningHandler((message: string) => onWarning?.(`${this.description}: ${message}`));
    try {
      this.session = <Session>pcap.createSession(this.iface, {
        filter: this.options.filter ?? '',
        buffer_size: this.options.bufferSize ?? LIVE_DEFAULTS.bufferSize,
        buffer_timeout: this.options.bufferTimeoutMs ?? LIVE_DEFAULTS.bufferTimeoutMs,
        snap_length: this.options.snapLength ?? LIVE_DEFAULTS.snapLength,
        promiscuous: this.options.promiscuous ?? LIVE_DEFAULTS.promiscuous,
      });
    } catch (error) {
      // Hardware, not input: the CLI exits 3 for it (docs/cli.md).
      throw new HardwareError(this.description, `cannot open: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setWarningHandler(previousHandler);
    }
    this.linkType = linkTypeNumber(this.session.link_type);
    return this.session;
  }

  private finish(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.session) {
      // After node_pcap finalises the handle, stats() throws, so keep the last reading.
      this.finalStats = this.stats();
      // close() only sets libpcap's breakloop flag; node_pcap frees the socket and its (event
      // loop-referencing) poll handle when the next packet arrives. See docs/capture.md.
      this.session.close();
    }
    const settle = this.settle;
    this.settle = undefined;
    settle?.(error);
  }
}

function setWarningHandler(handler: (message: string) => unknown): void {
  // node_pcap reads this export when a session opens; it is the only way to route its warnings.
  (pcap as { warningHandler: (message: string) => unknown }).warningHandler = handler;
}
