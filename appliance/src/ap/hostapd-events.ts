// Parsing what hostapd's control interface sends. Unsolicited events start with "<level>"
// (optionally behind "IFNAME=wlan0 " on the global interface); anything else is the reply to the
// last request. That is the rule hostapd's own wpa_ctrl client uses.

export type HostapdEvent =
  | { kind: 'station-connected'; mac: string; params: Record<string, string> }
  | { kind: 'station-disconnected'; mac: string }
  | { kind: 'psk-mismatch'; mac: string }
  | { kind: 'ap-enabled' }
  | { kind: 'ap-disabled' }
  /** hostapd is exiting: its socket goes away and the client must reattach to the next one. */
  | { kind: 'terminating' }
  | { kind: 'other'; name: string; text: string };

export interface CtrlEvent {
  /** hostapd's message level: 2 debug, 3 info, 4 warning, 5 error. */
  level: number;
  iface?: string;
  event: HostapdEvent;
}

const EVENT = /^(?:IFNAME=(\S+) )?<(\d)>(.*)$/s;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export const isEventMessage = (text: string): boolean => EVENT.test(text);

/** The event in one datagram, or undefined when the datagram is a reply. */
export function parseEventMessage(text: string): CtrlEvent | undefined {
  const match = EVENT.exec(text);
  if (!match) return undefined;
  const body = match[3].trim();
  const [name = '', ...args] = body.split(' ');
  const event = eventOf(name, args, body);
  return { level: Number(match[2]), ...(match[1] ? { iface: match[1] } : {}), event };
}

function eventOf(name: string, args: string[], body: string): HostapdEvent {
  const mac = args[0]?.toLowerCase();
  const withMac = mac !== undefined && MAC.test(mac);
  switch (name) {
    case 'AP-STA-CONNECTED':
      if (withMac) return { kind: 'station-connected', mac, params: keyValues(args.slice(1)) };
      break;
    case 'AP-STA-DISCONNECTED':
      if (withMac) return { kind: 'station-disconnected', mac };
      break;
    case 'AP-STA-POSSIBLE-PSK-MISMATCH':
      if (withMac) return { kind: 'psk-mismatch', mac };
      break;
    case 'AP-ENABLED':
      return { kind: 'ap-enabled' };
    case 'AP-DISABLED':
      return { kind: 'ap-disabled' };
    case 'CTRL-EVENT-TERMINATING':
      return { kind: 'terminating' };
  }
  return { kind: 'other', name, text: body };
}

function keyValues(parts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * The station in a STA-FIRST / STA-NEXT reply: its MAC on the first line, then key=value lines.
 * An empty reply means there are no (more) stations.
 */
export function parseStationReply(text: string): { mac: string; fields: Record<string, string> } | undefined {
  const [first, ...rest] = text.split('\n');
  const mac = first.trim().toLowerCase();
  if (!MAC.test(mac)) return undefined;
  const fields: Record<string, string> = {};
  for (const line of rest) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { mac, fields };
}

/** STATUS and GET_CONFIG replies: key=value lines. */
export function parseKeyValueReply(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
