// The Spotify client on the Echo fetches audio over plain HTTP (the paper: "a stream with Spotify
// makes an HTTP request to Spotify Server"), as range requests of 518-526-byte frames, and keeps
// a sync connection on port 4070 with 11-byte messages (77-byte frames). These build those bytes.

const encoder = new TextEncoder();

export interface AudioRangeRequest {
  host: string;
  /** 40 hex digits, as Spotify names its audio files. */
  fileId: string;
  rangeStart: number;
  rangeEnd: number;
  /** The request's total length: the paper's rows are 518-526-byte frames, 452-460 bytes of request. */
  length: number;
}

/** The request line and headers of a range request from the Echo's Spotify client, padded to `length` in its token. */
export function audioRangeRequest(spec: AudioRangeRequest): Uint8Array {
  const build = (token: string): string =>
    [
      `GET /audio/${spec.fileId}?__token__=exp=1768561200~hmac=${token} HTTP/1.1`,
      `Host: ${spec.host}`,
      'User-Agent: Spotify/8.8.0 Linux/0 (AmazonEcho)',
      'App-Platform: Linux',
      'Spotify-App-Version: 8.8.0.347',
      `Range: bytes=${spec.rangeStart}-${spec.rangeEnd}`,
      'Accept: */*',
      'Accept-Encoding: identity',
      'Connection: keep-alive',
    ].join('\r\n') + '\r\n\r\n';
  const bare = build('').length;
  return encoder.encode(build('0'.repeat(Math.max(16, spec.length - bare))));
}

/** The CDN's 206 response headers for `length` bytes of an object of `total` bytes. */
export function audioRangeResponseHeaders(rangeStart: number, length: number, total: number, date: Date): Uint8Array {
  const lines = [
    'HTTP/1.1 206 Partial Content',
    'Content-Type: application/octet-stream',
    `Content-Length: ${length}`,
    `Content-Range: bytes ${rangeStart}-${rangeStart + length - 1}/${total}`,
    'Accept-Ranges: bytes',
    'Cache-Control: public, max-age=31536000',
    `Date: ${date.toUTCString()}`,
    'Connection: keep-alive',
  ];
  return encoder.encode(lines.join('\r\n') + '\r\n\r\n');
}
