// The box of the enforcement test, run inside its network namespace: live capture on the AP
// interface -> PacketPipeline -> the lead's Judge (through buildAnalysis, as the service wires
// it) -> earshot's Enforcer, which changes the namespace's real nftables through `nft`.
//   ap-box-child.ts '{"iface":"ap0","echoIp":"192.0.2.10","enforcement":{...}}'
// stdin: {"cmd":"mic","state":"muted"} | {"cmd":"ack","id":...}
// stdout: {"event":"ready"}, {"event":"mic",...}, {"event":"alert",...}, {"event":"enforcement",...}

import { createInterface } from 'node:readline';
import { commandNftRunner } from '../../appliance/src/ap/nft-runner.js';
import type { EnforcementConfig } from '../../appliance/src/ap/config.js';
import { Enforcer } from '../../appliance/src/ap/enforcer.js';
import { LiveSource } from '../../appliance/src/capture/live-source.js';
import { isMicState, type MicContext, type MicState, type MicStateSource } from '../../appliance/src/mic/mic-state.js';
import { MicTimeline, type MicChange } from '../../appliance/src/mic/mic-timeline.js';
import { buildAnalysis } from '../../appliance/src/pipeline/capture-run.js';

const { iface, echoIp, enforcement } = JSON.parse(process.argv[2]) as { iface: string; echoIp: string; enforcement: EnforcementConfig };
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

/** The ring as the test sets it: a timeline that grows, stamped with the wall clock capture uses. */
class LiveMic implements MicStateSource {
  private readonly changes: MicChange[] = [{ timeUs: 0, state: 'idle' }];
  private timeline = new MicTimeline(this.changes);
  set(state: MicState): number {
    const timeUs = Date.now() * 1000;
    this.changes.push({ timeUs, state });
    this.timeline = new MicTimeline(this.changes);
    return timeUs;
  }
  contextAt(timeUs: number, graceUs: number): MicContext {
    return this.timeline.contextAt(timeUs, graceUs);
  }
  listeningBetween(fromUs: number, toUs: number): boolean {
    return this.timeline.listeningBetween(fromUs, toUs);
  }

  mutedThroughout(fromUs: number, toUs: number): boolean {
    return this.timeline.mutedThroughout(fromUs, toUs);
  }
}

const mic = new LiveMic();
const enforcer = new Enforcer(enforcement, commandNftRunner());
enforcer.on('event', (event) => print({ event: 'enforcement', at: Date.now(), ...event }));
await enforcer.start();
await enforcer.setEchoAddress(echoIp, 'echo');

const analysis = buildAnalysis(
  { device: { ip: echoIp }, mic },
  {
    judge: (event) => {
      print({ event: event.type, at: Date.now(), ...event });
      if (event.type === 'alert') void enforcer.onAlert(event);
      else void enforcer.onAlertEnd(event.id);
    },
  },
);
const source = new LiveSource(iface, { filter: `host ${echoIp}`, onOpen: () => print({ event: 'ready' }) });
// As the service's housekeeping does: an episode ends after its quiet gap even when no packet comes.
setInterval(() => analysis.judge.tick(Date.now() * 1000, true), 250).unref();

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line) as { cmd: string; state?: string; id?: string };
  if (command.cmd === 'mic' && command.state && isMicState(command.state)) {
    const timeUs = mic.set(command.state);
    await enforcer.onMicState(command.state, 'echo');
    print({ event: 'mic', state: command.state, timeUs });
  } else if (command.cmd === 'ack' && command.id) {
    await enforcer.onAcknowledge(command.id);
    print({ event: 'acknowledged', id: command.id });
  }
});
process.stdin.on('end', () => source.stop());

await source.run((frame) => analysis.push(frame));
enforcer.stop();
// node_pcap releases its poll handle only when another packet arrives, so exit explicitly.
process.exit(0);
