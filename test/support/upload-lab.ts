// The upload lab: an "echo" namespace (192.0.2.10) and a "cloud" namespace (198.51.100.20 and
// 203.0.113.20) joined by one veth pair with offloads off, so tcpdump sees wire-sized frames. The
// cloud runs real servers (upload-cloud.ts: Node's TLS/HTTP/2, a TLS sink, a UDP sink) with a
// certificate made by openssl for this run. Each client run is captured on its own by tcpdump
// (libpcap) on the echo's side, started and seen listening before the first packet.
//
//   echo ns  eth0 192.0.2.10/24  <-->  eth1 198.51.100.20/24 + 203.0.113.20/24  cloud ns
//
// Nothing routes beyond this link, so the traffic cannot leave the two namespaces.

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespaces } from './ap-lab.js';
import { ProcessOutput, type RunResult } from './netns.js';
import { REPO_ROOT } from './shared-data.js';
import { UPLOAD_LAB } from './upload-lab-addresses.js';

export { UPLOAD_LAB } from './upload-lab-addresses.js';

export interface Capture {
  name: string;
  file: string;
  /** Wall clock (ms) when tcpdump reported it was listening: every frame in the file is later. */
  listeningAtMs: number;
  /** What tcpdump said on stopping ("N packets captured ... dropped by kernel"). */
  tcpdumpSummary: string;
}

/** Resolves when a child exits; SIGKILL after graceMs if a signal was sent and it lingers. */
export function exited(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export class UploadLab {
  readonly dir: string;
  private cloudServer: ChildProcess | undefined;

  private constructor(
    readonly spaces: Namespaces,
    readonly echo: string,
    readonly cloud: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'earshot-upload-lab-'));
  }

  get certFile(): string {
    return join(this.dir, 'cloud.crt');
  }

  /** Namespaces, link, routes, certificate and the cloud's servers, ready to be talked to. */
  static async create(): Promise<UploadLab> {
    const spaces = new Namespaces();
    try {
      const echo = await spaces.add('echo');
      const cloud = await spaces.add('cloud');
      const lab = new UploadLab(spaces, echo, cloud);
      await spaces.link({ ns: echo, iface: 'eth0', cidr: `${UPLOAD_LAB.echoIp}/24` }, { ns: cloud, iface: 'eth1', cidr: `${UPLOAD_LAB.cloudIp}/24` });
      await spaces.mustRun(cloud, 'ip', ['address', 'add', `${UPLOAD_LAB.otherCloudIp}/24`, 'dev', 'eth1']);
      // On-link routes both ways: the two ends ARP for each other directly, no router in between.
      for (const net of ['198.51.100.0/24', '203.0.113.0/24']) await spaces.mustRun(echo, 'ip', ['route', 'replace', net, 'dev', 'eth0']);
      await spaces.mustRun(cloud, 'ip', ['route', 'add', '192.0.2.0/24', 'dev', 'eth1']);
      await lab.makeCertificate();
      await lab.startCloud();
      return lab;
    } catch (error) {
      await spaces.cleanup();
      throw error;
    }
  }

  private async makeCertificate(): Promise<void> {
    const san = `subjectAltName=IP:${UPLOAD_LAB.cloudIp},IP:${UPLOAD_LAB.otherCloudIp}`;
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
    args.push('-subj', '/CN=cloud.upload-lab.example', '-addext', san, '-keyout', join(this.dir, 'cloud.key'), '-out', this.certFile);
    await this.spaces.mustRun(this.cloud, 'openssl', args);
  }

  private async startCloud(): Promise<void> {
    const script = join(REPO_ROOT, 'test/support/upload-cloud.ts');
    const ips = `${UPLOAD_LAB.cloudIp},${UPLOAD_LAB.otherCloudIp}`;
    const child = this.spaces.spawn(this.cloud, process.execPath, ['--import', 'tsx', script, this.certFile, join(this.dir, 'cloud.key'), ips], { cwd: REPO_ROOT });
    this.cloudServer = child;
    await new ProcessOutput(child).waitFor((line) => (line === 'ready' ? true : undefined), 30_000, 'the cloud servers to listen');
  }

  /** Runs a command in the echo namespace to completion; rejects on a non-zero exit. */
  async inEcho(command: string, args: string[], timeoutMs = 30_000, input?: string): Promise<RunResult> {
    const result = await this.spaces.run(this.echo, command, args, timeoutMs, input);
    if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed in the echo namespace (${result.code ?? result.signal}): ${result.stderr.trim()}`);
    return result;
  }

  /** A long-running client in the echo namespace (killed by cleanup if it outlives the test). */
  spawnInEcho(command: string, args: string[]): ChildProcess {
    return this.spaces.spawn(this.echo, command, args, { cwd: REPO_ROOT });
  }

  /** Captures the echo's side of the link while `traffic` runs; one pcap file per call. */
  async capture(name: string, traffic: () => Promise<void>): Promise<Capture> {
    const file = join(this.dir, `${name}.pcap`);
    // -Z root: tcpdump otherwise drops to its own user, who cannot write into this private folder.
    const tcpdump = this.spaces.spawn(this.echo, 'tcpdump', ['-i', 'eth0', '-n', '--immediate-mode', '-U', '-Z', 'root', '-w', file]);
    let stderr = '';
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start listening in 15 s: ${stderr.trim()}`)), 15_000);
      tcpdump.stderr!.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        if (/listening on eth0/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      tcpdump.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump exited (${code}) before listening: ${stderr.trim()}`));
      });
    });
    await listening;
    const listeningAtMs = Date.now();
    try {
      await traffic();
      await this.waitForCaptureToCatchUp(file);
    } finally {
      // SIGINT makes tcpdump flush the file and print its counters.
      tcpdump.kill('SIGINT');
      await exited(tcpdump);
    }
    const tcpdumpSummary = stderr.split('\n').filter((l) => /packets (captured|received|dropped)/.test(l)).join('; ');
    return { name, file, listeningAtMs, tcpdumpSummary };
  }

  /**
   * tcpdump stopped right after a fast client exits loses the frames still in the kernel's ring
   * (a 200 KB bulk upload finished in 0.1 s: 0 of 218 written). So a marker datagram goes from the
   * cloud to the echo after the traffic, and the capture stops only once the marker is in the file:
   * every frame before it is there too.
   */
  private async waitForCaptureToCatchUp(file: string): Promise<void> {
    const marker = `earshot-capture-marker-${process.pid}-${Date.now()}`;
    await this.spaces.mustRun(this.cloud, 'socat', ['-u', '-', `UDP-SENDTO:${UPLOAD_LAB.echoIp}:9`], marker);
    const deadline = Date.now() + 10_000;
    while (!(existsSync(file) && readFileSync(file).includes(marker))) {
      if (Date.now() > deadline) throw new Error(`tcpdump did not write the end-of-traffic marker into ${file} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async cleanup(): Promise<void> {
    if (this.cloudServer) this.cloudServer.kill('SIGKILL');
    await this.spaces.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
