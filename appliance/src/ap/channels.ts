// Which channel, band and width combinations earshot will render. hostapd itself does not catch
// them all: it takes `channel=banana` as automatic selection (atoi gives 0), and a bad HT40 or
// VHT80 layout only fails at driver init on the Pi. So the rules live here.

export type HwMode = 'g' | 'a';
export type ChannelWidth = 20 | 40 | 80;

/** 2.4 GHz channels usable by 802.11g. Channel 14 exists only for 802.11b in Japan. */
export const CHANNELS_24 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] as const;
/**
 * 5 GHz channels without DFS. 52-64 and 100-144 need radar detection (DFS), which the Pi's
 * brcmfmac radio does not offer in AP mode, so hostapd would fail to start on them.
 */
export const CHANNELS_5 = [36, 40, 44, 48, 149, 153, 157, 161, 165] as const;
const DFS_5 = new Set([52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140, 144]);
/** The 80 MHz blocks among CHANNELS_5 and their centre channel (vht_oper_centr_freq_seg0_idx). */
const VHT80_BLOCKS = [
  { channels: [36, 40, 44, 48], centre: 42 },
  { channels: [149, 153, 157, 161], centre: 155 },
];

export interface RadioLayout {
  /** hostapd's ht_capab secondary-channel flag for 40/80 MHz. */
  ht40?: '[HT40+]' | '[HT40-]';
  /** vht_oper_chwidth: 0 for 20/40 MHz, 1 for 80 MHz. */
  vhtChwidth?: 0 | 1;
  vhtCentre?: number;
}

export interface RadioProblem {
  field: 'channel' | 'channel_width' | 'ieee80211ac';
  message: string;
}

export interface RadioSettings {
  hw_mode: HwMode;
  channel: number;
  channel_width: ChannelWidth;
  ieee80211n: boolean;
  ieee80211ac: boolean;
}

export const defaultChannel = (hwMode: HwMode): number => (hwMode === 'g' ? 6 : 36);

/** The layout hostapd needs for these settings, or the first thing wrong with them. */
export function radioLayout(r: RadioSettings): RadioLayout | RadioProblem {
  const { hw_mode: mode, channel, channel_width: width } = r;
  if (mode === 'g' && !(CHANNELS_24 as readonly number[]).includes(channel)) {
    const hint = channel === 14 ? ': 14 is 802.11b-only, and only in Japan' : (CHANNELS_5 as readonly number[]).includes(channel) || DFS_5.has(channel) ? ` (${channel} is a 5 GHz channel: set hw_mode a)` : '';
    return { field: 'channel', message: `2.4 GHz (hw_mode g) channels are 1–13 (got ${channel})${hint}` };
  }
  if (mode === 'a' && !(CHANNELS_5 as readonly number[]).includes(channel)) {
    const hint = DFS_5.has(channel) ? `: ${channel} needs radar detection (DFS), which earshot does not enable` : channel >= 1 && channel <= 14 ? ` (${channel} is a 2.4 GHz channel: set hw_mode g)` : '';
    return { field: 'channel', message: `5 GHz (hw_mode a) channels are ${CHANNELS_5.join(', ')} (got ${channel})${hint}` };
  }
  if (r.ieee80211ac && mode !== 'a') return { field: 'ieee80211ac', message: `802.11ac needs hw_mode a, i.e. 5 GHz (got true with hw_mode ${mode})` };
  if (r.ieee80211ac && !r.ieee80211n) return { field: 'ieee80211ac', message: '802.11ac needs ieee80211n: true (got true with ieee80211n false)' };
  if (width === 20) return r.ieee80211ac ? { vhtChwidth: 0 } : {};
  if (!r.ieee80211n) return { field: 'channel_width', message: `${width} MHz needs ieee80211n: true (got ${width} with ieee80211n false)` };
  if (width === 80 && !r.ieee80211ac) return { field: 'channel_width', message: '80 MHz needs ieee80211ac: true (got 80 with ieee80211ac false)' };
  const ht40 = mode === 'g' ? ht40For24(channel) : ht40For5(channel);
  if (!ht40) {
    const why = mode === 'g' ? 'HT40+ needs channels 1–9, HT40- needs 5–13' : 'only 36–48 and 149–161 pair up';
    return { field: 'channel_width', message: `${width} MHz does not fit at channel ${channel} (${why})` };
  }
  if (width === 40) return r.ieee80211ac ? { ht40, vhtChwidth: 0 } : { ht40 };
  const block = VHT80_BLOCKS.find((b) => b.channels.includes(channel));
  if (!block) return { field: 'channel_width', message: `80 MHz does not fit at channel ${channel} (only 36–48 and 149–161 form 80 MHz blocks)` };
  return { ht40, vhtChwidth: 1, vhtCentre: block.centre };
}

export const isRadioProblem = (value: RadioLayout | RadioProblem): value is RadioProblem => 'message' in value;

/** The secondary channel sits 4 channels (20 MHz) above or below; prefer above where both fit. */
function ht40For24(channel: number): RadioLayout['ht40'] {
  if (channel <= 7) return '[HT40+]';
  if (channel <= 13) return '[HT40-]';
  return undefined;
}

function ht40For5(channel: number): RadioLayout['ht40'] {
  if ([36, 44, 149, 157].includes(channel)) return '[HT40+]';
  if ([40, 48, 153, 161].includes(channel)) return '[HT40-]';
  return undefined;
}
