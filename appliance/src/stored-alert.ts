// An alert as the state file keeps it: the store validates and persists it (service/), the
// status page lists it (status-page/). Here, below both, so neither folder imports the other.

export interface StoredAlert {
  id: string;
  severity: string;
  time: string;
  start: string;
  dst: string;
  reason: string;
  bytes: number;
  packets: number;
  acknowledged: boolean;
  /** What enforcement did: "blocked" or "would-block" (alert mode); absent: nothing. */
  enforcement?: string;
  /** The Echo's id (config devices[].id); absent in files from before several Echos: the default Echo. */
  device?: string;
}
