// `make bench` (issue 14's matrix): uploads and non-uploads from real client stacks (curl, Node's
// http2, openssl s_client, Python ssl/socket) captured live with tcpdump in namespaces, each judged
// by `earshot replay` under a muted, idle and listening ring. Prints stack × shape × ring state →
// verdict, latency from the first upstream payload packet (tshark), upstream bytes after the
// alert, and whether the row is what issue 14 expects. About 3 min; needs root and netns.
//
//   node --import tsx bench/upload-matrix-bench.ts [SHAPE_NAME...]

import { netnsUnavailableReason } from '../test/support/netns.js';
import { UploadLab } from '../test/support/upload-lab.js';
import { captureShapes, judgeCaptures, simulatedHeartbeatHour } from '../test/support/upload-matrix.js';
import { UPLOAD_SHAPES } from '../test/support/upload-shapes.js';
import { formatMatrix } from '../test/support/upload-verdicts.js';

const unavailable = netnsUnavailableReason();
if (unavailable) {
  console.log(`upload matrix: skipped (${unavailable})`);
  process.exit(0);
}

const wanted = process.argv.slice(2);
const shapes = wanted.length ? UPLOAD_SHAPES.filter((s) => wanted.includes(s.name)) : UPLOAD_SHAPES;
const lab = await UploadLab.create();
try {
  const captures = await captureShapes(lab, shapes, (line) => console.error(line));
  if (!wanted.length || wanted.includes('heartbeat-hour')) captures.push(await simulatedHeartbeatHour(lab.dir));
  const rows = await judgeCaptures(lab.dir, captures);
  console.log('upload matrix (issue 14): verdicts of `earshot replay` on live captures of real client stacks');
  console.log(formatMatrix(rows));
  for (const row of rows.filter((r) => !r.judged.right)) {
    console.log(`wrong: ${row.name} ${row.state}: ${row.judged.why}`);
    for (const alert of row.alerts) console.log(`  alert ${JSON.stringify(alert)}`);
  }
} finally {
  await lab.cleanup();
}
