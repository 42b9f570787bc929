// `make image-test`: boots the built image in QEMU (-M virt, the image's own kernel and initrd)
// with a first-boot config on its card and earshot.smoketest on the kernel command line, and
// checks what the guest reports on its console plus MQTT discovery on a broker of our own.
// Network safety: the guest's only way out is QEMU user networking with restrict=on, and its
// one forward (guestfwd) leads to this broker on 127.0.0.1.
// Skipped unless EARSHOT_IMAGE names a raw image (make image writes out/os-image/earshot-arm64.img).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { MosquittoBroker, MqttRecorder } from '../support/mosquitto.js';

const imagePath = process.env.EARSHOT_IMAGE;
const BOOT_TIMEOUT_MS = Number(process.env.EARSHOT_BOOT_TIMEOUT_S ?? 900) * 1000;
const BOX_ID = 'qemu';
/** Set to a file to follow the guest's console while it boots (tail -f). */
const CONSOLE_LOG = process.env.EARSHOT_BOOT_CONSOLE;
const GUEST_BROKER = '10.0.2.100';

function skipReason(): string | undefined {
  let reason: string | undefined;
  if (!imagePath) reason = 'set EARSHOT_IMAGE to a built image (make image-test does)';
  else if (!existsSync(imagePath)) reason = `${imagePath} does not exist (run make image)`;
  else {
    for (const tool of ['qemu-system-aarch64', 'mcopy', 'sfdisk', 'mosquitto']) {
      try {
        execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      } catch {
        reason = `missing ${tool}`;
      }
    }
  }
  if (reason) console.log(`# skipping the QEMU boot test: ${reason}`);
  return reason;
}

/**
 * The command QEMU runs for each guest connection to the broker address: a relay to our broker on
 * loopback. A chardev target (tcp:127.0.0.1:PORT) would be one connection opened when QEMU starts
 * and shared by every guest connection, which the broker sees as one broken session. Commas are
 * doubled because -netdev's option parser splits on them.
 */
function relayTo(port: number): string {
  const script = `const s = require('net').connect(${port}, '127.0.0.1'); process.stdin.pipe(s); s.pipe(process.stdout); s.on('close', () => process.exit(0)); s.on('error', () => process.exit(1));`;
  return `${process.execPath} -e "${script}"`.replaceAll(',', ',,');
}

const CONFIG = `id: ${BOX_ID}
capture: { interface: eth0 }   # a VM has no wlan0; eth0 is the user-mode network
mic: { sensor: none }
mqtt: { url: "mqtt://${GUEST_BROKER}:1883", username: earshot, password: "boot-test-secret" }
ap: { ssid: "earshot test", wpa_passphrase: "correct horse battery", country_code: DE }
`;

describe('the earshot image booted in QEMU', { skip: skipReason(), timeout: BOOT_TIMEOUT_MS + 120_000 }, () => {
  let dir: string;
  let broker: MosquittoBroker;
  let recorder: MqttRecorder;
  let qemu: ChildProcess | undefined;
  const console_: string[] = [];
  const smoke = new Map<string, string>();
  let finished: Promise<void>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-boot-'));
    const disk = join(dir, 'card.img');
    copyFileSync(imagePath!, disk);
    // A bigger "card" than the image, so first boot has a partition to grow.
    truncateSync(disk, 4 * 1024 ** 3);
    const table = JSON.parse(execFileSync('sfdisk', ['--json', disk], { encoding: 'utf8' })).partitiontable;
    const firmware = `${disk}@@${table.partitions[0].start * 512}`;
    const mtools = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    writeFileSync(join(dir, 'earshot.conf'), CONFIG);
    execFileSync('mcopy', ['-o', '-i', firmware, join(dir, 'earshot.conf'), '::earshot.conf'], { env: mtools });
    // The kernel and initrd the Pi's firmware would load, by the names config.txt gives them.
    const configTxt = execFileSync('mtype', ['-i', firmware, '::config.txt'], { encoding: 'utf8', env: mtools });
    const kernel = /^kernel=(\S+)$/m.exec(configTxt)?.[1];
    const initrd = /^initramfs (\S+)/m.exec(configTxt)?.[1];
    assert.ok(kernel && initrd, `config.txt names no kernel or initramfs:\n${configTxt}`);
    execFileSync('mcopy', ['-i', firmware, `::${kernel}`, join(dir, 'vmlinuz')], { env: mtools });
    execFileSync('mcopy', ['-i', firmware, `::${initrd}`, join(dir, 'initrd.img')], { env: mtools });

    broker = await MosquittoBroker.start();
    recorder = await MqttRecorder.connect(broker.url, ['homeassistant/#', `earshot/${BOX_ID}/status`]);
    qemu = spawn('qemu-system-aarch64', [
      '-M', 'virt', '-cpu', 'cortex-a72', '-smp', '2', '-m', '1024', '-nographic', '-no-reboot',
      '-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img'),
      '-append', 'root=LABEL=RASPIROOT rw rootwait console=ttyAMA0 net.ifnames=0 earshot.smoketest',
      '-drive', `file=${disk},format=raw,if=none,id=card`, '-device', 'virtio-blk-device,drive=card',
      '-netdev', `user,id=net0,restrict=on,guestfwd=tcp:${GUEST_BROKER}:1883-cmd:${relayTo(broker.port)}`,
      '-device', 'virtio-net-device,netdev=net0',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const child = qemu;
    finished = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "EARSHOT-SMOKE: done" within ${BOOT_TIMEOUT_MS / 1000} s; console tail:\n${console_.slice(-40).join('\n')}`)), BOOT_TIMEOUT_MS);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        console_.push(line);
        if (CONSOLE_LOG) appendFileSync(CONSOLE_LOG, `${line}\n`);
        const match = /EARSHOT-SMOKE: (ok|FAIL|done|root-size) ?(\S*)(.*)$/.exec(line);
        if (!match) return;
        if (match[1] === 'done') {
          clearTimeout(timer);
          resolve();
        } else if (match[1] === 'root-size') smoke.set('root-size', match[2]);
        else smoke.set(match[2].replace(/:$/, ''), `${match[1]}${match[3]}`);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`QEMU exited (${code}) before the smoke test finished; console tail:\n${console_.slice(-40).join('\n')}`));
      });
    });
    finished.catch(() => undefined);
  });

  after(async () => {
    if (qemu && qemu.exitCode === null) {
      const exited = new Promise((resolve) => qemu!.once('exit', resolve));
      qemu.kill('SIGTERM');
      await exited;
    }
    await recorder?.close();
    await broker?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the in-guest smoke test', async () => {
    await finished;
  });

  for (const check of ['service-active', 'mqtt-connected', 'no-failed-units', 'addon-loads', 'firstboot-applied', 'root-grown', 'journal-volatile', 'ssh-off', 'cli-help']) {
    it(`passes the guest check ${check}`, async () => {
      await finished;
      assert.equal(smoke.get(check), 'ok', `${check}: ${smoke.get(check) ?? 'not reported'}`);
    });
  }

  it('grows the root filesystem beyond the image\'s size', async () => {
    await finished;
    const size = Number(/(\d+)/.exec(smoke.get('root-size') ?? '')?.[1]);
    const table = JSON.parse(execFileSync('sfdisk', ['--json', imagePath!], { encoding: 'utf8' })).partitiontable;
    assert.ok(size > table.partitions[1].size * 512, `root is ${size} bytes`);
  });

  it('publishes Home Assistant discovery and availability to the broker on the host\'s loopback', async () => {
    // The guest has powered off by now: what it published is already here, or never will be.
    await finished;
    const discovery = (m: { topic: string }): boolean => /^homeassistant\/[a-z_]+\/earshot_qemu\/[a-z_]+\/config$/.test(m.topic);
    await recorder.waitFor((messages) => messages.some(discovery) && messages.some((m) => m.topic === `earshot/${BOX_ID}/status` && m.text === 'online'), 5_000, 'discovery configs and status online');
    // A subscriber arriving later (Home Assistant after a restart) still gets the configs: retained.
    const late = await MqttRecorder.connect(broker.url, ['homeassistant/#']);
    try {
      await late.waitFor((messages) => messages.some((m) => discovery(m) && m.retain), 5_000, 'retained discovery configs');
    } finally {
      await late.close();
    }
  });
});
