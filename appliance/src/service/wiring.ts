// The one wiring point: builds the real adapters (capture, mic, store, broker, systemd) from a
// validated config and hands them to EarshotService. Nothing else constructs adapters.

import { networkInterfaces } from 'node:os';
import { FileSource } from '../capture/file-source.js';
import { LiveSource } from '../capture/live-source.js';
import { echoCaptureFilter } from '../pipeline/device-selector.js';
import type { PacketSource } from '../capture/packet-source.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import { WatchedMicTimeline } from '../mic/watched-timeline.js';
import { existsSync } from 'node:fs';
import { EARSHOT_VERSION, RULES_MODEL_VERSION } from '../version.js';
import { loadModelFile, shippedModelPath } from '../classify/model-file.js';
import { PacketClassifier } from '../classify/packet-classifier.js';
import type { DeviceConfig, RecordConfig, ServiceConfig } from './config-schema.js';
import { DatasetRecorder } from '../record/dataset-recorder.js';
import { ConfigError } from './load-config.js';
import { EarshotService, type AccessPoint, type ServiceDevice } from './earshot-service.js';
import { MqttPublisher } from './mqtt-publisher.js';
import { createNotifier } from './sd-notify.js';
import type { Logger } from './service-log.js';
import { StateStore } from './state-store.js';
import { join } from 'node:path';
import { outboxPathFor } from './alert-outbox.js';
import type { ApConfig } from '../ap/config.js';
import { openPythonBridge } from '../ap/ctrl-bridge.js';
import { EchoFinder } from '../ap/echo-finder.js';
import { Enforcer } from '../ap/enforcer.js';
import { HostapdMonitor } from '../ap/hostapd-ctrl.js';
import { LeaseWatcher } from '../ap/lease-watcher.js';
import { commandNftRunner } from '../ap/nft-runner.js';
import { LiveMicTimeline } from '../../../gpio/live-mic-timeline.js';
import { parseLedConfig, parseMicSensorConfig } from '../../../gpio/sensor-config.js';
import { createMicSensor, createStatusLed } from '../../../gpio/sensor-factory.js';
import { StatusPage } from '../status-page/status-page.js';

export interface WiringOptions {
  config: ServiceConfig;
  configFile: string;
  log: Logger;
  env?: Record<string, string | undefined>;
  onJudgeEvent?: (event: JudgeEvent) => void;
  /** The demo's status page: sampled faster, on any free port when the configured one is busy. */
  statusPage?: { sampleMs?: number; anyPortWhenBusy?: boolean; onListening?: (url: string) => void };
}

export async function createService(options: WiringOptions): Promise<EarshotService> {
  const { config, configFile, log } = options;
  const source: PacketSource = config.capture.file
    ? new FileSource(config.capture.file, { pace: config.capture.pace, speed: config.capture.speed })
    : new LiveSource(config.capture.interface!, { bufferSize: config.capture.buffer_mb * 1024 * 1024, filter: liveFilter(config) });
  const devices: ServiceDevice[] = [];
  for (const [index, device] of config.devices.entries()) devices.push(await serviceDevice(device, config.written_version >= 3 ? `devices.${index}.mic` : 'mic', configFile, log));
  const led = config.led ? createStatusLed(parseLedConfig(config.led, configFile)) : undefined;
  const publisher = config.mqtt.url
    ? new MqttPublisher({
        url: config.mqtt.url,
        username: config.mqtt.username,
        password: config.mqtt.password,
        discovery: { id: config.id, discoveryPrefix: config.mqtt.discovery_prefix, swVersion: EARSHOT_VERSION },
        queueLimit: config.mqtt.queue_limit,
        outboxPath: outboxPathFor(config.state.path),
        log: (line) => log('info', line),
      })
    : undefined;
  const classifier = loadClassifier(config, log);
  const store = new StateStore({ path: config.state.path, history: config.state.history, minIntervalMs: config.state.write_interval_s * 1000, log: (line) => log('warning', line) });
  const recorder = config.record ? datasetRecorder(config.record, log) : undefined;
  // The page is built before the service it shows, so it reaches the service through a closure.
  let service: EarshotService | undefined;
  const page = config.status_page.enabled
    ? new StatusPage({
        config: config.status_page,
        boxId: config.id,
        version: EARSHOT_VERSION,
        box: () => service!,
        history: () => store.data.alerts,
        uplink: config.ap?.uplink,
        log,
        ...options.statusPage,
      })
    : undefined;
  const onJudgeEvent = page
    ? (event: JudgeEvent) => {
        page.onJudgeEvent(event);
        options.onJudgeEvent?.(event);
      }
    : options.onJudgeEvent;
  service = new EarshotService({
    config,
    source,
    devices,
    publisher,
    store,
    notifier: createNotifier(options.env ?? process.env),
    log,
    modelVersion: classifier?.modelVersion ?? RULES_MODEL_VERSION,
    classifier,
    led,
    accessPoint: config.ap ? accessPoint(config.ap, config) : undefined,
    onJudgeEvent,
    recorder,
    statusPage: page,
  });
  return service;
}

/** Built whenever the config has the section, so recording can also be switched on at run time. */
function datasetRecorder(record: RecordConfig, log: Logger): DatasetRecorder {
  return new DatasetRecorder({
    dir: record.dir,
    maxTotalBytes: record.max_total_mb * 1e6,
    segmentBytes: record.segment_mb * 1e6,
    segmentMs: record.segment_s * 1000,
    log: (line) => log('info', line),
  });
}

/**
 * Off the box, with every listed Echo's MAC known before the start, only their frames are
 * captured. On the box (an `ap:` section) nothing is filtered: its Wi-Fi is the Echos' own, and
 * an Amazon station the config does not list must reach the pipeline to be judged (libpcap's
 * filter cannot be widened while it runs).
 */
function liveFilter(config: ServiceConfig): string | undefined {
  if (config.ap) return undefined;
  const macs = config.devices.map((device) => device.mac);
  if (macs.some((mac) => mac === undefined)) return undefined;
  return macs.map((mac) => echoCaptureFilter(mac!)).join(' or ');
}

/** One Echo's ring: a timeline file followed as it grows, or a sensor feeding a live timeline. */
async function serviceDevice(device: DeviceConfig, field: string, configFile: string, log: Logger): Promise<ServiceDevice> {
  const mic = device.mic;
  if (mic.timeline) {
    if (!existsSync(mic.timeline)) throw new ConfigError(configFile, `${field}.timeline`, `cannot read '${mic.timeline}'`);
    return { config: device, mic: new WatchedMicTimeline(mic.timeline, (line) => log('warning', line)) };
  }
  if (!mic.sensor || mic.sensor === 'none') return { config: device };
  const sensorConfig = parseMicSensorConfig(mic as Record<string, unknown>, configFile, field);
  if (sensorConfig.sensor !== 'gpio' && sensorConfig.sensor !== 'tcs34725') return { config: device };
  const sensor = await createMicSensor(sensorConfig, configFile);
  const timeline = new LiveMicTimeline();
  return { config: device, mic: timeline, micSensor: { sensor, onReading: (reading) => timeline.push(reading) } };
}

/**
 * The shipped forest unless the config names another or "none". A model that will not load is
 * not fatal: the box still protects the user with the labelling rules, and says so.
 */
function loadClassifier(config: ServiceConfig, log: Logger): PacketClassifier | undefined {
  if (config.model === 'none') return undefined;
  try {
    const model = loadModelFile(config.model ?? shippedModelPath());
    log('info', `model: ${model.modelVersion} (${model.features.length} features)`);
    return new PacketClassifier(model);
  } catch (error) {
    log('warning', `model: ${(error as Error).message}; reporting the labelling rules' classes instead`);
    return undefined;
  }
}

/** hostapd's control interface and dnsmasq's leases find the Echo; nftables blocks its leaks. */
function accessPoint(ap: ApConfig, config: ServiceConfig): AccessPoint {
  const enforcer = new Enforcer(config.enforcement, commandNftRunner());
  // The first Echo is ap.echo's, else the config's first device's; every listed MAC is in the finder's list.
  const listedMacs = config.devices.flatMap((device) => (device.mac ? [device.mac] : []));
  const finder = new EchoFinder({ echoMac: ap.echo?.mac ?? config.devices[0].mac, listedMacs: ap.echo?.mac ? [ap.echo.mac, ...listedMacs] : listedMacs });
  const monitor = new HostapdMonitor({ open: () => openPythonBridge(join(ap.ctrl_interface, ap.interface)) });
  monitor.on('attached', (stations) => finder.setStations(stations));
  monitor.on('event', (event) => finder.handleEvent(event));
  const leases = new LeaseWatcher(ap.lan.lease_file, (list) => finder.setLeases(list));
  return {
    enforcer,
    finder,
    start: async () => {
      await enforcer.start();
      monitor.start();
      leases.start();
    },
    stop: () => {
      enforcer.stop();
      monitor.stop();
      leases.stop();
    },
  };
}

/** The box's MAC for its default id: the first non-internal interface with one. */
export function boxMac(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((a) => !a.internal && a.mac !== '00:00:00:00:00:00');
    if (external) return external.mac;
  }
  return undefined;
}
