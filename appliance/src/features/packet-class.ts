// The paper's eight classes. In code the periodic packet is called `heartbeat`; on the wire and in
// CSVs it keeps the paper's label `syn` (not a TCP SYN) so the paper's dataset stays compatible.

export const PACKET_CLASSES = [
  'handshake',
  'heartbeat',
  'ack',
  'retransmit',
  'not_relevant',
  'expected',
  'justified',
  'not_justified',
] as const;

export type PacketClass = (typeof PACKET_CLASSES)[number];

const PAPER_LABELS: Record<PacketClass, string> = {
  handshake: 'handshake',
  heartbeat: 'syn',
  ack: 'ack',
  retransmit: 'retransmit',
  not_relevant: 'not_relevant',
  expected: 'expected',
  justified: 'justified',
  not_justified: 'not_justified',
};

const CLASS_BY_PAPER_LABEL = new Map<string, PacketClass>(
  PACKET_CLASSES.map((c) => [PAPER_LABELS[c], c] as const),
);

export const paperLabel = (packetClass: PacketClass): string => PAPER_LABELS[packetClass];

export const classFromPaperLabel = (label: string): PacketClass | undefined => CLASS_BY_PAPER_LABEL.get(label);

export const isApplicationDataClass = (c: PacketClass): boolean => c === 'expected' || c === 'justified' || c === 'not_justified';
