// The status page's config: defaults, the schema's one-line errors, and the rule that the page is
// never served on the Echo's Wi-Fi (a bind address on the AP's subnet, or a wildcard, is refused).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, resolveConfig } from '../../appliance/src/service/load-config.js';

const AP = { interface: 'wlan0', uplink: 'eth0', country_code: 'DE', ssid: 'Echo', wpa_passphrase: 'correct horse battery', lan: { subnet: '192.0.2.0/24', dhcp_range: { start: '192.0.2.100', end: '192.0.2.200' } } };

function problemWith(raw: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    resolveConfig(raw, 'x.yaml', env, 'box');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

test('the page is on by default, on port 8080, bound "auto", with the first-boot token file', () => {
  const config = resolveConfig({}, 'x.yaml', {}, 'box');
  assert.deepEqual(config.status_page, { enabled: true, bind: 'auto', port: 8080, token_file: '/etc/earshot/status-page.token', chart_s: 600 });
  assert.equal(resolveConfig({ status_page: { enabled: false } }, 'x.yaml', {}, 'box').status_page.enabled, false);
  assert.equal(resolveConfig({}, 'x.yaml', { EARSHOT_STATUS_PAGE_ENABLED: 'false' }, 'box').status_page.enabled, false);
});

test('bad values are one line naming the field, and a token is never echoed', () => {
  assert.equal(problemWith({ status_page: { port: 70000 } }), `x.yaml: status_page.port: expected a TCP port between 1 and 65535 (got 70000)`);
  assert.equal(problemWith({ status_page: { token: 'short' } }), `x.yaml: status_page.token: expected at least 16 printable characters without spaces (got 5 characters)`);
  assert.equal(problemWith({ status_page: { bind: 'lan' } }), `x.yaml: status_page.bind: expected "auto" or an IP address (got 'lan')`);
  assert.equal(problemWith({ status_page: { colour: 1 } }), 'x.yaml: status_page.colour: unknown setting (known here: enabled, bind, port, token, token_file, chart_s)');
});

test("a bind address on the AP's subnet is refused with one line naming the field", () => {
  assert.equal(
    problemWith({ ap: AP, status_page: { bind: '192.0.2.1' } }),
    `x.yaml: status_page.bind: '192.0.2.1' is on the Echo's Wi-Fi (ap.lan.subnet 192.0.2.0/24); the page is served on the uplink/LAN side only`,
  );
  assert.equal(problemWith({ ap: AP, status_page: { bind: '0.0.0.0' } }), `x.yaml: status_page.bind: '0.0.0.0' listens on the Echo's Wi-Fi too; give the uplink's address or "auto"`);
  assert.match(problemWith({ ap: AP }, { EARSHOT_STATUS_PAGE_BIND: '192.0.2.77' }), /^environment EARSHOT_STATUS_PAGE_BIND: status_page\.bind: '192\.0\.2\.77' is on the Echo's Wi-Fi/);
});

test('an uplink-side address, "auto" on the box, and a wildcard off the box are accepted', () => {
  assert.equal(resolveConfig({ ap: AP, status_page: { bind: '198.51.100.7' } }, 'x.yaml', {}, 'box').status_page.bind, '198.51.100.7');
  assert.equal(resolveConfig({ ap: AP }, 'x.yaml', {}, 'box').status_page.bind, 'auto');
  assert.equal(resolveConfig({ status_page: { bind: '0.0.0.0' } }, 'x.yaml', {}, 'box').status_page.bind, '0.0.0.0');
});
