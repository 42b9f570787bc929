// The access point's config model: the `ap:` and `enforcement:` sections, checked by their JSON
// schemas (ajv, allErrors, so every problem is reported at once) and then by the semantic checks.
// Nothing is rendered or written until both pass.

import { Ajv, type ValidateFunction } from 'ajv';
import { migrateConfig } from '../config-version.js';
import { defaultChannel, type ChannelWidth, type HwMode } from './channels.js';
import { ConfigError, issueFromAjv, type ConfigIssue } from './config-errors.js';
import { AP_SCHEMA, ENFORCEMENT_SCHEMA } from './config-schema.js';
import { checkLan, checkMac, checkPassphrase, checkRadio, checkSsid, normaliseMac, type SecurityMode } from './config-semantics.js';
import { formatIpv4, formatSubnet, isHostOf, netmask, parseIpv4 } from './ipv4.js';

export type EnforcementMode = 'off' | 'alert' | 'block-when-muted';

export interface ApConfig {
  interface: string;
  uplink: string;
  country_code: string;
  ssid: string;
  hidden: boolean;
  client_isolation: boolean;
  security: SecurityMode;
  wpa_passphrase: string;
  hw_mode: HwMode;
  channel: number;
  ieee80211n: boolean;
  ieee80211ac: boolean;
  channel_width: ChannelWidth;
  ctrl_interface: string;
  lan: {
    /** Network address and prefix, e.g. "192.0.2.0/24". */
    subnet: string;
    prefix: number;
    netmask: string;
    address: string;
    dhcp_range: { start: string; end: string };
    lease_time: string;
    lease_file: string;
  };
  echo?: { mac: string; ip?: string };
}

export interface EnforcementConfig {
  mode: EnforcementMode;
  hold_new_flows: boolean;
  block_timeout_s: number;
}

let validators: { ap: ValidateFunction; enforcement: ValidateFunction } | undefined;

function compiled(): { ap: ValidateFunction; enforcement: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
    ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
    validators = { ap: ajv.compile(AP_SCHEMA), enforcement: ajv.compile(ENFORCEMENT_SCHEMA) };
  }
  return validators;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

/** Checks an `ap:` section (schema, then semantics). `prefix` is where it sits in the file. */
export function checkApSection(input: unknown, prefix = 'ap'): Checked<ApConfig> {
  if (input === undefined || input === null) return { ok: false, issues: [{ path: prefix, message: "required: the access point's settings (ssid, wpa_passphrase, country_code, ...)" }] };
  // Defaults are filled into a copy, so the caller's object stays as it was read.
  const raw = structuredClone(input) as Record<string, any>;
  const validate = compiled().ap;
  const issues: ConfigIssue[] = validate(raw) ? [] : (validate.errors ?? []).map((e) => issueFromAjv(e, prefix));
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, issues };
  const bad = new Set(issues.map((i) => i.path));
  // Semantic checks run on every field whose shape was right, so one run lists every problem.
  const fine = (field: string, type: string): boolean => typeof raw[field] === type && ![...bad].some((p) => p === `${prefix}.${field}` || p.startsWith(`${prefix}.${field}.`));
  if (fine('ssid', 'string')) push(issues, `${prefix}.ssid`, checkSsid(raw.ssid));
  if (fine('wpa_passphrase', 'string') && !bad.has(`${prefix}.security`)) push(issues, `${prefix}.wpa_passphrase`, checkPassphrase(raw.wpa_passphrase, raw.security));
  if (raw.channel === undefined && typeof raw.hw_mode === 'string') raw.channel = defaultChannel(raw.hw_mode as HwMode);
  const radioFields = ['hw_mode', 'channel', 'channel_width', 'ieee80211n', 'ieee80211ac'];
  if (!radioFields.some((f) => bad.has(`${prefix}.${f}`))) checkRadio(raw as any, prefix, issues);
  if (fine('uplink', 'string') && fine('interface', 'string') && raw.uplink === raw.interface) {
    issues.push({ path: `${prefix}.uplink`, message: `must differ from ${prefix}.interface (both ${JSON.stringify(raw.uplink)})` });
  }
  let lan: ReturnType<typeof checkLan>;
  if (fine('lan', 'object')) lan = checkLan(raw.lan, `${prefix}.lan`, issues);
  if (fine('echo', 'object')) {
    if (typeof raw.echo.mac === 'string') push(issues, `${prefix}.echo.mac`, checkMac(raw.echo.mac));
    if (typeof raw.echo.ip === 'string' && lan) {
      const ip = parseIpv4(raw.echo.ip);
      if (ip === undefined || !isHostOf(lan.subnet, ip)) {
        push(issues, `${prefix}.echo.ip`, `expected a host address inside ${formatSubnet(lan.subnet)} (got ${JSON.stringify(raw.echo.ip)})`);
      } else if (ip === lan.address) {
        push(issues, `${prefix}.echo.ip`, `is the box's own address (got ${JSON.stringify(raw.echo.ip)})`);
      }
    }
  }
  if (issues.length > 0 || !lan) return { ok: false, issues };
  const config: ApConfig = {
    ...(raw as ApConfig),
    lan: {
      subnet: formatSubnet(lan.subnet),
      prefix: lan.subnet.prefix,
      netmask: netmask(lan.subnet.prefix),
      address: formatIpv4(lan.address),
      dhcp_range: { start: formatIpv4(lan.start), end: formatIpv4(lan.end) },
      lease_time: raw.lan.lease_time,
      lease_file: raw.lan.lease_file,
    },
    echo: raw.echo ? { mac: normaliseMac(raw.echo.mac)!, ...(raw.echo.ip ? { ip: raw.echo.ip } : {}) } : undefined,
  };
  if (!config.echo) delete config.echo;
  return { ok: true, value: config };
}

export function checkEnforcementSection(input: unknown, prefix = 'enforcement'): Checked<EnforcementConfig> {
  const raw = input === undefined ? {} : structuredClone(input);
  const validate = compiled().enforcement;
  if (validate(raw)) return { ok: true, value: raw as EnforcementConfig };
  return { ok: false, issues: (validate.errors ?? []).map((e) => issueFromAjv(e, prefix)) };
}

/** Both sections of a whole config file (other top-level keys belong to other parts of earshot). */
export function checkApConfigFile(document: unknown, file?: string): { ap: ApConfig; enforcement: EnforcementConfig } {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConfigError(file, [{ path: '(top level)', message: `expected a mapping with an ap: section (got ${document === null ? 'null' : Array.isArray(document) ? 'a list' : typeof document})` }]);
  }
  // The same version rule as the service's (the file is the same): a newer format is refused.
  const migrated = migrateConfig(document as Record<string, unknown>);
  if (!migrated.ok) throw new ConfigError(file, [{ path: 'version', message: migrated.problem }]);
  const doc = migrated.config;
  const ap = checkApSection(doc.ap);
  const enforcement = checkEnforcementSection(doc.enforcement);
  const issues = [...(ap.ok ? [] : ap.issues), ...(enforcement.ok ? [] : enforcement.issues)];
  if (!ap.ok || !enforcement.ok) throw new ConfigError(file, issues);
  return { ap: ap.value, enforcement: enforcement.value };
}

function push(issues: ConfigIssue[], path: string, message: string | undefined): void {
  if (message) issues.push({ path, message });
}
