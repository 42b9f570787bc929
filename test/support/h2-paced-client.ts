// An HTTP/2 upload client on Node's http2 (nghttp2 inside Node): one POST whose body is written
// in chunks of CHUNK bytes every EVERY_MS for FOR_MS, the way a streaming voice client would.
// Prints "first-write EPOCH_MS" when the first chunk is handed to the stack and "done N" at the end.
//
//   node --import tsx h2-paced-client.ts URL CHUNK EVERY_MS FOR_MS

import { randomBytes } from 'node:crypto';
import { connect } from 'node:http2';

async function main(): Promise<void> {
  const [url, chunkArg, everyArg, forArg] = process.argv.slice(2);
  const chunk = Number(chunkArg);
  const everyMs = Number(everyArg);
  const forMs = Number(forArg);
  if (!url || !(chunk > 0) || !(everyMs > 0) || !(forMs > 0)) throw new Error('usage: h2-paced-client.ts URL CHUNK EVERY_MS FOR_MS');
  // The lab's server has a certificate made for this run: nothing to verify it against.
  const session = connect(url, { rejectUnauthorized: false });
  session.on('error', (error) => {
    console.error(error.message);
    process.exit(1);
  });
  await new Promise<void>((resolve) => session.once('connect', () => resolve()));
  const stream = session.request({ ':method': 'POST', ':path': '/upload', 'content-type': 'audio/L16' });
  let reply = '';
  stream.setEncoding('utf8').on('data', (data: string) => (reply += data));
  const finished = new Promise<void>((resolve) => stream.once('end', () => resolve()));
  stream.resume();
  const chunks = Math.max(1, Math.round(forMs / everyMs));
  let sent = 0;
  const startMs = Date.now();
  for (let index = 0; index < chunks; index++) {
    // Chunks are scheduled against the start, so a slow write does not stretch the stream.
    const wait = startMs + index * everyMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (index === 0) console.log(`first-write ${Date.now()}`);
    stream.write(randomBytes(chunk));
    sent += chunk;
  }
  stream.end();
  await finished;
  session.close();
  console.log(`done ${sent} ${reply}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
