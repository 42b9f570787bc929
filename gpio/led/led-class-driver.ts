// The status LED through the kernel LED class (/sys/class/leds/<name>/), under an injectable
// root. The kernel blinks it (timer or pattern trigger), so a crashed or hung process leaves the
// last pattern running; systemd's ExecStopPost then sets the fault pattern (docs/hardware.md).
// Only when the kernel lacks the pattern trigger does this process toggle brightness itself.

import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TimerHandle, Timers } from '../clock.js';
import { LED_PATTERN_STEPS, ledClassPlan, parseLedTriggers, type LedPattern } from './led-patterns.js';

export interface StatusLed {
  show(pattern: LedPattern): Promise<void>;
  close(): Promise<void>;
}

export class LedClassDriver implements StatusLed {
  readonly dir: string;
  private current: LedPattern | undefined;
  private softTimer: TimerHandle | undefined;
  private capabilities: { triggers: string[]; max: number } | undefined;

  constructor(
    root: string,
    readonly name: string,
    private readonly timers: Timers,
  ) {
    this.dir = join(root, 'sys', 'class', 'leds', name);
  }

  async show(pattern: LedPattern): Promise<void> {
    if (pattern === this.current) return;
    this.current = pattern;
    this.stopSoftware();
    // Read once: the trigger list does not change, and reading it later would race our writes.
    this.capabilities ??= {
      triggers: parseLedTriggers(await readFile(join(this.dir, 'trigger'), 'utf8')).available,
      max: Number((await readFile(join(this.dir, 'max_brightness'), 'utf8').catch(() => '1')).trim()) || 1,
    };
    const { triggers, max } = this.capabilities;
    const plan = ledClassPlan(pattern, triggers, max);
    if (plan) {
      // Each write is its own write(2): sysfs attributes take one value per write.
      for (const write of plan) await writeFile(join(this.dir, write.file), write.value);
      return;
    }
    await writeFile(join(this.dir, 'trigger'), 'none');
    this.runSoftware(pattern, 0, max);
  }

  async close(): Promise<void> {
    this.stopSoftware();
  }

  private runSoftware(pattern: LedPattern, index: number, max: number): void {
    const steps = LED_PATTERN_STEPS[pattern];
    const step = steps[index % steps.length];
    // Synchronous: a one-byte sysfs write, and each step must land before the next is timed.
    try {
      writeFileSync(join(this.dir, 'brightness'), String(step.on ? max : 0));
    } catch {
      // A vanished LED stays dark; the service's status still says why on Home Assistant.
    }
    this.softTimer = this.timers.setTimeout(() => this.runSoftware(pattern, index + 1, max), step.ms);
  }

  private stopSoftware(): void {
    if (this.softTimer !== undefined) this.timers.clearTimeout(this.softTimer);
    this.softTimer = undefined;
  }
}
