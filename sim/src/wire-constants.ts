// The few wire numbers the simulator writes into its frames. The simulator keeps its own copy
// instead of importing the product's decoder types: what it writes is then fixed by the
// standards, not by what the product happens to read (docs/simulator.md, "Independence").

/** TCP header flags (RFC 9293). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
} as const;

/** pcap link types (tcpdump.org linktypes). The simulator writes Ethernet only. */
export const LinkType = {
  ETHERNET: 1,
} as const;
