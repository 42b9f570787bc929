// Every number the judge decides with, in one place. Each is measured on real traffic; the
// figures behind them are in docs/judge.md ("Thresholds and where they come from").
//
// The evidence is the Echo's upstream payload across all of its connections and destinations
// together, TCP and UDP, in time slots: it does not depend on record sizes, chunk spacing, the
// client library or the transport, so a different framing of the same upload cannot slip past.

/**
 * The slowest audio earshot has to catch: speech at the lowest plausible codec rate (Opus or
 * Speex at about 12 kbit/s) is 1.5 KB/s.
 */
export const AUDIO_BYTES_PER_S = 1_500;

/**
 * "Sustained for at least a second", checked at several time scales so that both a steady stream
 * and a chunked one (one burst per second, or per few seconds) qualify: a scale's slots must each
 * carry AUDIO_BYTES_PER_S × rateFactor × slot length, for `slots` slots in a row (window-sums.ts).
 * Two slots are enough only at twice the audio rate and with alike slots: a telemetry burst
 * (7-14.5 KB, docs/judge.md) followed by a second's chatter is uneven. Otherwise three slots are
 * wanted, so chunks once a second at the lowest audio rate are caught at the third (2 s).
 */
export const SUSTAINED_SCALES = [
  // A stream: a second's quarters, one may come short (lumpy delivery).
  { slotUs: 250_000, slots: 4, fullNeeded: 3, rateFactor: 1, evenShare: 0 },
  // Chunks once a second, caught at the second chunk when both carry twice the audio rate and
  // are alike (the smaller at least half the larger, as a codec's output is): a
  // telemetry burst followed by a second's chatter is neither.
  { slotUs: 1_000_000, slots: 2, fullNeeded: 2, rateFactor: 2, evenShare: 0.5 },
  // The same for chunks every two seconds.
  { slotUs: 2_000_000, slots: 2, fullNeeded: 2, rateFactor: 2, evenShare: 0.5 },
  // Chunks once a second at the lowest audio rate, caught at the third chunk.
  { slotUs: 1_000_000, slots: 3, fullNeeded: 3, rateFactor: 1, evenShare: 0 },
  // Chunks every few seconds.
  { slotUs: 5_000_000, slots: 3, fullNeeded: 3, rateFactor: 1, evenShare: 0 },
] as const;

/**
 * A sustained run this long or shorter moves the episode's start back to the run's first packet:
 * only the quarter-second scale's. A run of 1 s slots may begin with unrelated traffic up to a
 * second before the upload (measured: the live simulator's muted LPCM upload, under load, was
 * dated 1.7 s early by the two-slot scale), so it leaves the start where the episode began.
 */
export const REACH_BACK_MAX_US = 1_000_000;

/**
 * A run's traffic must span this share of its slots but the last: a sender that paces itself
 * once a second (curl --limit-rate) puts its chunks 0.996 s apart, not 1.000 s.
 */
export const SLOT_SPAN_SHARE = 0.9;

/**
 * A volume of the order of a second of PCM (8 kHz × 16 bit) inside one second is audio-sized
 * whatever its shape: a bulk upload, or the pre-roll burst an Echo sends before its paced stream.
 */
export const AUDIO_VOLUME_BYTES = 16_000;
export const AUDIO_VOLUME_WINDOW_US = 1_000_000;

/**
 * Above the Echo's background while muted: heartbeats are excluded already, and the telemetry
 * of the paper's muted captures (at most 8.4 KB) and of the simulator (at most 14.5 KB) stays
 * under this in any 5 s of an episode (docs/judge.md). More than this while the ring is red is
 * at least a warning, even when it does not look like audio.
 */
export const BACKGROUND_BYTES = 16_000;

/**
 * A muted upload above background is called "not shaped like audio" only once it is this old:
 * by then every audio rule but the 5 s scale has had its chance (the 1 s scale decides at the
 * third slot), so one alert says what the upload is instead of a warning and a critical at once.
 */
export const AUDIO_DECISION_US = 2_000_000;
export const BACKGROUND_WINDOW_US = 5_000_000;

/**
 * An upload that mostly answers a download (music's chatter, a reconnect's requests) is less
 * likely to be speech: when the episode's downstream exceeds this multiple of its upstream, every
 * byte threshold above is multiplied by DOWNLOAD_DISCOUNT. It raises the bar; it never closes it.
 */
export const DOWNLOAD_DOMINANCE_RATIO = 4;
export const DOWNLOAD_DISCOUNT = 4;

/** An episode ends after this long without upstream payload from the Echo. */
export const EPISODE_GAP_US = 3_500_000;

/** While the ring stays red, an episode above background survives pauses up to this long. */
export const MUTED_EPISODE_GAP_US = 10_000_000;

/**
 * Until an episode is above background, a pause this long starts it afresh: a stray record or a
 * telemetry burst must not become the start of the upload that follows, because the start's mic
 * state decides the verdict and the alert's latency is measured from it. The evidence windows
 * (device-rates.ts) are not reset, so an upload in chunks is still seen as a whole.
 */
export const REANCHOR_GAP_US = 500_000;

/**
 * An expected upload (the Echo was listening) that goes on this long after the ring turned red
 * is a leak: the Echo stops streaming when muted, well within this.
 */
export const MUTED_CONTINUATION_US = 1_000_000;

/** The alert names at most this many of the episode's flows (enforcement blocks them all). */
export const MAX_FLOWS_PER_ALERT = 16;
