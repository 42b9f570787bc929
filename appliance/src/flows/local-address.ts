// Which addresses are the home network's: the judge leaves uploads to them out, and the device
// election only considers senders among them. Here, below both, so neither imports the other.

/**
 * Addresses that belong to a home network: RFC 1918, CGNAT, link-local, IPv6 ULA and link-local,
 * multicast and broadcast, plus 192.0.2.0/24, the documentation range earshot's simulator and tests use as the AP's LAN.
 */
export function isLocalAddress(ip: string): boolean {
  if (ip.includes(':')) {
    const first = parseInt(ip.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
  }
  const dot = ip.indexOf('.');
  const a = Number(ip.slice(0, dot));
  const b = Number(ip.slice(dot + 1, ip.indexOf('.', dot + 1)));
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    a >= 224 || // multicast (mDNS, SSDP) and broadcast never leave the home network
    ip.startsWith('192.0.2.')
  );
}
