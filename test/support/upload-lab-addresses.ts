// Addresses and ports of the upload lab (documentation ranges only), shared by the lab, its
// cloud process and the clients.

export const UPLOAD_LAB = {
  echoIp: '192.0.2.10',
  cloudIp: '198.51.100.20',
  /** A second server, for uploads that move to another destination. */
  otherCloudIp: '203.0.113.20',
  httpsPort: 443,
  tlsPort: 8443,
  udpPort: 5004,
  /** A plain TCP sink on Spotify's sync port, whose DATA the labelling rules call heartbeats. */
  spotifySyncPort: 4070,
} as const;
