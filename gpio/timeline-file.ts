// The recorder's file: appended to, one row per write, so a power cut loses at most one row.
// An existing file must already be a timeline (header `time,state`), or it is left alone.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { TIMELINE_HEADER, TimelineRecorder } from './timeline-recorder.js';

export function openTimelineFile(path: string): TimelineRecorder {
  const exists = existsSync(path) && readFileSync(path, 'utf8').length > 0;
  if (exists) {
    const header = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0].replace(/^\uFEFF/, '').trim();
    if (header !== TIMELINE_HEADER.trim()) throw new Error(`${path}: not a mic timeline (header '${header.slice(0, 40)}'); choose another file`);
  }
  return new TimelineRecorder({ write: (text) => appendFileSync(path, text) }, !exists);
}
