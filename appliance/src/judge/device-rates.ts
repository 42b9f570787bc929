// The Echo's upstream rate, device-wide: every upload packet on every connection, TCP and UDP,
// goes into the same windows, which run continuously (an episode restarting does not reset
// them). Bytes over time is evidence that no framing, chunk size, client library or transport
// escapes. O(1) per packet, no allocation.

import type { UploadPacket } from './device-episode.js';
import {
  AUDIO_BYTES_PER_S,
  AUDIO_VOLUME_BYTES,
  AUDIO_VOLUME_WINDOW_US,
  REACH_BACK_MAX_US,
  SLOT_SPAN_SHARE,
  SUSTAINED_SCALES,
} from './upload-thresholds.js';
import { SlidingSum, SlotRun } from './window-sums.js';

/** Audio evidence at a packet: a second's volume of PCM inside a second, or audio rate sustained at one of the time scales. */
export type AudioEvidence = 'volume' | 'sustained' | 'none';

export class DeviceRates {
  private readonly volume = new SlidingSum(AUDIO_VOLUME_WINDOW_US / 10, 10);

  private readonly scales = SUSTAINED_SCALES.map((scale) => new SlotRun(scale.slotUs, scale.slots, scale.fullNeeded, SLOT_SPAN_SHARE, scale.evenShare));
  /** Each scale's bytes per slot before the bar: its share of the audio rate, computed once. */
  private readonly slotBytes = SUSTAINED_SCALES.map((scale) => (AUDIO_BYTES_PER_S * scale.rateFactor * scale.slotUs) / 1e6);
  /** Bytes in the volume window (about the last second) after the latest packet. */
  lastSecondBytes = 0;
  /** When the traffic that makes the latest evidence began, and how much it carried. */
  evidenceFirstUs = 0;
  evidenceBytes = 0;

  /**
   * Counts the packet and returns the evidence now. `bar` multiplies every byte threshold (1
   * normally, more when a download dominates), so it raises the bar without ever closing it.
   */
  add(packet: UploadPacket, bar: number): AudioEvidence {
    const { timeUs, bytes } = packet;
    let sustained: SlotRun | undefined;
    // Every scale is fed every packet, so each run stays true to the traffic.
    for (let i = 0; i < this.scales.length; i++) {
      const scale = this.scales[i];
      if (scale.add(timeUs, bytes, this.slotBytes[i] * bar) && !sustained) sustained = scale;
    }
    this.lastSecondBytes = this.volume.add(timeUs, bytes);
    if (this.lastSecondBytes >= AUDIO_VOLUME_BYTES * bar) {
      this.evidenceFirstUs = this.volume.firstTimeUs();
      this.evidenceBytes = this.lastSecondBytes;
      return 'volume';
    }
    if (!sustained) return 'none';
    // A run of a few seconds tells where the upload began (every slot of it carried audio rate);
    // the 5 s scale's runs reach back many seconds, over what may have been other uploads, so
    // they leave the episode's start as it is.
    const short = sustained.spanUs <= REACH_BACK_MAX_US;
    this.evidenceFirstUs = short ? sustained.firstUs : 0;
    this.evidenceBytes = short ? sustained.totalBytes : 0;
    return 'sustained';
  }
}
