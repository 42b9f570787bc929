// The image's first boot turns the boot partition's earshot.conf into the box's files; a user
// writes that file on a PC, so bad ones must fail with one line and never echo a secret.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { prepareFirstBoot, REMOVED } from '../../appliance/src/cli/firstboot-config.js';
import { ConfigError } from '../../appliance/src/service/load-config.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@laptop';
const VALID = `ap:
  ssid: "Echo Box"
  wpa_passphrase: "correct horse battery"
  country_code: DE
  lan: { subnet: 192.0.2.0/24 }
mqtt:
  url: mqtt://earshot:s3cret-in-url@192.0.2.200:1883
  username: earshot
  password: hunter2hunter2
mic: { sensor: none }
ssh:
  authorized_keys:
    - ${KEY}
`;

function failure(text: string): string {
  try {
    prepareFirstBoot(text, 'earshot.conf');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the config was accepted');
}

describe('first boot on a valid earshot.conf', () => {
  const files = prepareFirstBoot(VALID, 'earshot.conf');

  it('writes the service config without the image-only ssh section', () => {
    const config = parse(files.serviceConfig);
    assert.equal(config.ssh, undefined);
    assert.equal(config.ap.ssid, 'Echo Box');
    assert.equal(config.mqtt.password, 'hunter2hunter2');
  });

  it('gives the AP interface the subnet\'s first host as a static address', () => {
    assert.equal(files.apNetwork.name, '20-earshot-wlan0.network');
    assert.match(files.apNetwork.content, /^Name=wlan0$/m);
    assert.match(files.apNetwork.content, /^Address=192\.0\.2\.1\/24$/m);
  });

  it('enables SSH with exactly the given key', () => {
    assert.equal(files.authorizedKeys, `${KEY}\n`);
  });

  it('leaves no secret in the copy that stays on the card', () => {
    for (const secret of ['correct horse battery', 'hunter2hunter2', 's3cret-in-url']) assert.ok(!files.redacted.includes(secret), secret);
    const left = parse(files.redacted);
    assert.equal(left.ap.wpa_passphrase, REMOVED);
    assert.equal(left.mqtt.url, 'mqtt://earshot:***@192.0.2.200:1883');
  });
});

describe('first boot on earshot.conf without ssh', () => {
  it('leaves SSH off', () => {
    const withoutSsh = VALID.slice(0, VALID.indexOf('ssh:'));
    assert.equal(prepareFirstBoot(withoutSsh, 'earshot.conf').authorizedKeys, undefined);
  });
});

describe('first boot on an invalid earshot.conf', () => {
  it('rejects the unedited template shipped on the card, naming the first empty field', () => {
    const template = readFileSync(new URL('../../os-image/firmware/earshot.conf', import.meta.url), 'utf8');
    assert.match(failure(template), /^earshot\.conf: ap\.country_code: .*\(and 2 more problems\)$/);
  });

  it('rejects a short passphrase by its length, not its text', () => {
    const message = failure(VALID.replace('correct horse battery', 'abc12'));
    assert.match(message, /^earshot\.conf: ap\.wpa_passphrase: .*5 characters/);
    assert.ok(!message.includes('abc12'));
  });

  it('rejects a broker URL with the service\'s own validation', () => {
    assert.match(failure(VALID.replace('mqtt://earshot:s3cret-in-url@', 'htp://')), /^earshot\.conf: mqtt\.url: expected an mqtt:\/\/ or mqtts:\/\/ URL/);
  });

  it('rejects a config with no ap section', () => {
    assert.match(failure('mqtt: { url: "mqtt://192.0.2.200" }\n'), /^earshot\.conf: ap: required/);
  });

  it('rejects an SSH key that is not one OpenSSH public key line', () => {
    assert.match(failure(VALID.replace(KEY, 'not-a-key')), /^earshot\.conf: ssh\.authorized_keys\.0: expected one OpenSSH public key line/);
  });

  it('rejects an unknown setting in the ssh section', () => {
    assert.match(failure(`${VALID}  password_login: true\n`), /^earshot\.conf: ssh\.password_login: unknown setting/);
  });

  it('rejects broken YAML with its position and without quoting it', () => {
    const message = failure('ap: [ssid: "x"\n  wpa_passphrase: hunter2hunter2\n');
    assert.match(message, /^earshot\.conf: file: not valid YAML/);
    assert.ok(!message.includes('hunter2hunter2'));
  });
});

it('first boot makes a status page token unless earshot.conf sets one, and keeps a set one off the card', () => {
  assert.equal(prepareFirstBoot(VALID, 'earshot.conf', () => 'fresh-token-from-first-boot').statusPageToken, 'fresh-token-from-first-boot');
  const own = `${VALID}\nstatus_page:\n  token: my-own-status-page-token\n`;
  const files = prepareFirstBoot(own, 'earshot.conf');
  assert.equal(files.statusPageToken, undefined);
  assert.ok(!files.redacted.includes('my-own-status-page-token'));
  assert.ok(files.serviceConfig.includes('my-own-status-page-token'), 'the box keeps it');
});
