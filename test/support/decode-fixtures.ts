// The endpoints the decoder's tests build their frames between (no traffic is ever sent: these
// are bytes in generated frames).

import type { Endpoint } from '../../sim/src/frame-builder.js';

export const echo: Endpoint = { mac: '68:54:fd:0a:1b:2c', ip: '192.168.1.50', port: 49152 };
export const cloud: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '52.94.233.10', port: 443 };
