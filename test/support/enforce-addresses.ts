// Addresses and ports of the enforcement matrix's cloud (documentation ranges only), shared by
// the lab, its cloud process and the clients. Both servers sit behind the box's NAT (ap-lab.ts).

export const SERVERS = { first: '203.0.113.5', second: '203.0.113.6' } as const;
export const ENFORCE_CLOUD_PORTS = { https: 443, udp: 5004 } as const;
