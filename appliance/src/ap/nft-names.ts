// The names the rendered ruleset and the enforcer share, and the element syntax of its sets.

import type { FlowTuple } from '../judge/judge-events.js';

export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'earshot';
/** Flows cut after a critical verdict: protocol . src . sport . dst . dport. */
export const BLOCKED_FLOWS_SET = 'blocked_flows';
/** The Echo's address while it is muted and holding new flows is on. */
export const MUTED_ECHO_SET = 'muted_echo';
/**
 * The Echo's address while an episode of its is being cut (block-when-muted, after the alert,
 * until the episode ends): a connection it opens then joins that episode, so it is refused.
 */
export const CUTTING_ECHO_SET = 'cutting_echo';
/** The Echo's address while muted in block-when-muted: its data packets through the box are capped. */
export const CAPPED_ECHO_SET = 'capped_echo';
/**
 * The cap, in nft's kbytes (1024 B) per second. nft's bucket holds one second of the rate plus
 * its `burst`, which is left at 0: a muted Echo may send 32 KiB at once, then 32 KiB/s. That is
 * above what it sends while muted (telemetry bursts of at most 14.5 KB, docs/judge.md) and above
 * what the judge needs to see (AUDIO_VOLUME_BYTES, 16 KB in a second), but no upload can outrun
 * the judge and the enforcer: an unthrottled one would otherwise be over in milliseconds.
 */
export const MUTED_CAP_KBYTES_PER_S = 32;
/** The conntrack mark bit of flows the Echo opened while muted. */
export const HELD_FLOW_MARK = 0x00000100;
/** The largest IP packet a held flow may pass: a 46-byte heartbeat record is a 98-byte packet. */
export const HEARTBEAT_MAX_PACKET_BYTES = 160;
/** Where "Echo to internet TLS" is aimed. */
export const TLS_PORT = 443;

/** `tcp . 192.0.2.10 . 50000 . 203.0.113.5 . 443` */
export function flowElement(flow: FlowTuple): string {
  return `${flow.protocol} . ${flow.src} . ${flow.srcPort} . ${flow.dst} . ${flow.dstPort}`;
}

export const setRef = (set: string): string => `${NFT_FAMILY} ${NFT_TABLE} ${set}`;
