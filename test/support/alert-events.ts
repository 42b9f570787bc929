// Alert and alert_end events as the judge raises them, for tests of what carries them on
// (queue, outbox, store): only the id and what a test varies change.

import type { AlertEndEvent, AlertEvent } from '../../appliance/src/judge/judge-events.js';

const FLOW = { protocol: 'tcp', src: '192.0.2.10', srcPort: 49152, dst: '198.51.100.20', dstPort: 443 } as const;

export function alertEvent(id: string, overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    type: 'alert',
    id,
    severity: 'critical',
    time: '2024-05-01T12:00:01.000Z',
    start: '2024-05-01T12:00:00.000Z',
    mic: 'muted',
    dst: '198.51.100.20:443',
    bytes: 30_000,
    packets: 25,
    reason: 'voice-like upload while muted',
    flow: { ...FLOW },
    flows: [{ ...FLOW }],
    evidence: { rule: 'volume', peak_bytes_per_s: 16000, mean_bytes_per_s: 16000, downstream_ratio: 0, connections: 1, threshold_factor: 1 },
    ...overrides,
  };
}

export const alertEnd = (id: string): AlertEndEvent => ({ type: 'alert_end', id, end: '2024-05-01T12:00:09.000Z', bytes: 90_000, packets: 70 });
