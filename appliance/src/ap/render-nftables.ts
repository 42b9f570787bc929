// The nftables ruleset: NAT from the AP LAN out of the uplink, a forward chain that lets the AP's
// stations reach the internet and nothing else, and the sets enforcement fills at run time.
// It lives in its own table and replaces only that table, so the host's other rules are untouched.

import type { ApConfig } from './config.js';
import {
  BLOCKED_FLOWS_SET,
  CAPPED_ECHO_SET,
  CUTTING_ECHO_SET,
  HEARTBEAT_MAX_PACKET_BYTES,
  HELD_FLOW_MARK,
  MUTED_CAP_KBYTES_PER_S,
  MUTED_ECHO_SET,
  NFT_FAMILY,
  NFT_TABLE,
  TLS_PORT,
} from './nft-names.js';

const FLOW_KEY = 'meta l4proto . ip saddr . th sport . ip daddr . th dport';
const REPLY_KEY = 'meta l4proto . ip daddr . th dport . ip saddr . th sport';

export function renderNftables(ap: ApConfig): string {
  const ap0 = JSON.stringify(ap.interface);
  const up = JSON.stringify(ap.uplink);
  const mark = `0x${HELD_FLOW_MARK.toString(16).padStart(8, '0')}`;
  const table = `${NFT_FAMILY} ${NFT_TABLE}`;
  return `#!/usr/sbin/nft -f
# Rendered by earshot (earshot ap render). Edit the earshot config instead: this file is replaced.
# Loading it replaces table ${table} in one transaction (create, delete, define), so it can be
# loaded again at any time and never touches other tables.
table ${table}
delete table ${table}

table ${table} {
	# Enforcement adds a flow here after a critical verdict while muted; the timeout is a safety net
	# in case earshot is not running to lift it.
	set ${BLOCKED_FLOWS_SET} {
		type inet_proto . ipv4_addr . inet_service . ipv4_addr . inet_service
		flags timeout
	}

	# The Echo's address while it is muted (only when enforcement.hold_new_flows is on).
	set ${MUTED_ECHO_SET} {
		type ipv4_addr
		flags timeout
	}

	# The Echo's address while an episode of its is being cut: connections it opens are refused.
	set ${CUTTING_ECHO_SET} {
		type ipv4_addr
		flags timeout
	}

	# The Echo's address while it is muted in block-when-muted: its data packets are capped.
	set ${CAPPED_ECHO_SET} {
		type ipv4_addr
		flags timeout
	}

	chain input {
		type filter hook input priority filter; policy accept;
		iifname != ${ap0} accept
		ct state established,related accept
		# Stations on the AP may use DHCP and DNS on the box, and ping it; nothing else.
		udp dport { 53, 67 } accept
		tcp dport 53 accept
		meta l4proto icmp accept
		counter drop
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname != ${ap0} oifname != ${ap0} accept
		# Blocked flows are reset both ways, so nothing the Echo buffered for them can get out
		# after the block is lifted.
		meta l4proto tcp ${FLOW_KEY} @${BLOCKED_FLOWS_SET} counter reject with tcp reset
		meta l4proto tcp ${REPLY_KEY} @${BLOCKED_FLOWS_SET} counter reject with tcp reset
		${FLOW_KEY} @${BLOCKED_FLOWS_SET} counter drop
		${REPLY_KEY} @${BLOCKED_FLOWS_SET} counter drop
		# The AP LAN is IPv4 only; IPv6 would bypass the flow sets.
		iifname ${ap0} meta nfproto ipv6 counter drop
		# A connection the Echo opens while one of its episodes is being cut is part of that upload
		# (the judge named only the flows it had seen when it alerted), so it is refused: TCP is
		# reset at its SYN, anything else dropped.
		iifname ${ap0} oifname ${up} ip saddr @${CUTTING_ECHO_SET} ct state new meta l4proto tcp counter reject with tcp reset
		iifname ${ap0} oifname ${up} ip saddr @${CUTTING_ECHO_SET} ct state new counter drop
		# While muted, the Echo's data packets (bigger than a heartbeat; ACKs pass) share one cap,
		# so an unthrottled upload cannot be over before the judge and the enforcer have acted.
		iifname ${ap0} oifname ${up} ip saddr @${CAPPED_ECHO_SET} meta length > ${HEARTBEAT_MAX_PACKET_BYTES} limit rate over ${MUTED_CAP_KBYTES_PER_S} kbytes/second counter drop
		# Held flows: TLS connections the Echo opens while muted pass only heartbeat-sized packets.
		iifname ${ap0} oifname ${up} ip saddr @${MUTED_ECHO_SET} tcp dport ${TLS_PORT} ct state new ct mark set ct mark | ${mark}
		iifname ${ap0} oifname ${up} ip saddr @${MUTED_ECHO_SET} ct mark & ${mark} == ${mark} meta length > ${HEARTBEAT_MAX_PACKET_BYTES} counter drop
		ct state established,related accept
		iifname ${ap0} oifname ${up} accept
		# Anything else that touches the AP: the uplink opening connections into it, or stations
		# reaching interfaces other than the uplink.
		counter drop
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname ${up} ip saddr ${ap.lan.subnet} masquerade
	}
}
`;
}
