// The status LED's patterns, pure: what the box is doing → one pattern → on/off steps in time.
// The box has no screen, so each pattern must be told apart at a glance, in any lighting:
//
//   monitoring  ▮▯▯▯▯▯▯▯▯▯▯▯▯▯▯   slow heartbeat: 0.1 s on every 3 s
//   warning     ▮▯▮▯▮▯▮▯▮▯▮▯▮▯   fast blink, 4 Hz
//   critical    ▮▮▮▮▮▮▮▮▮▮▮▮▮▮   solid, until the alert is acknowledged in Home Assistant
//   fault       ▮▯▮▯▯▯▯▯▮▯▮▯▯▯   double blink every 1.5 s: a sensor or capture is down
//   off         ▯▯▯▯▯▯▯▯▯▯▯▯▯▯   the service is not running and nothing set a fault

export type LedPattern = 'off' | 'monitoring' | 'warning' | 'critical' | 'fault';

export interface LedStep {
  on: boolean;
  ms: number;
}

export const LED_PATTERN_STEPS: Readonly<Record<LedPattern, readonly LedStep[]>> = {
  off: [{ on: false, ms: 1000 }],
  monitoring: [
    { on: true, ms: 100 },
    { on: false, ms: 2900 },
  ],
  warning: [
    { on: true, ms: 125 },
    { on: false, ms: 125 },
  ],
  critical: [{ on: true, ms: 1000 }],
  fault: [
    { on: true, ms: 150 },
    { on: false, ms: 150 },
    { on: true, ms: 150 },
    { on: false, ms: 1050 },
  ],
};

export interface BoxStatus {
  /** Critical alerts (audio while muted) not yet acknowledged. */
  unacknowledgedCritical: number;
  /** Warning alerts (possible misactivation, unknown mic) not yet acknowledged. */
  unacknowledgedWarning: number;
  /** Current faults: the mic sensor is unknown, capture is down, ... */
  faults: readonly string[];
}

/**
 * Critical outranks fault: an upload while muted is what the box exists to show, and a fault is
 * also on Home Assistant. Fault outranks warning, since a warning means little if sensing is down.
 */
export function ledPatternFor(status: BoxStatus): LedPattern {
  if (status.unacknowledgedCritical > 0) return 'critical';
  if (status.faults.length > 0) return 'fault';
  if (status.unacknowledgedWarning > 0) return 'warning';
  return 'monitoring';
}

export const patternPeriodMs = (pattern: LedPattern): number => LED_PATTERN_STEPS[pattern].reduce((sum, step) => sum + step.ms, 0);

/** Whether the LED is lit `elapsedMs` after the pattern started. */
export function ledLevelAt(pattern: LedPattern, elapsedMs: number): boolean {
  const steps = LED_PATTERN_STEPS[pattern];
  let t = ((elapsedMs % patternPeriodMs(pattern)) + patternPeriodMs(pattern)) % patternPeriodMs(pattern);
  for (const step of steps) {
    if (t < step.ms) return step.on;
    t -= step.ms;
  }
  return steps[steps.length - 1].on;
}

export interface LedClassWrite {
  /** A file in /sys/class/leds/<name>/. */
  file: 'trigger' | 'brightness' | 'delay_on' | 'delay_off' | 'pattern' | 'repeat';
  value: string;
}

/**
 * The sysfs writes that make the kernel run `pattern` by itself, so the LED keeps its pattern if
 * the process dies. One on/off pair is the timer trigger; the double blink needs the pattern
 * trigger, written as a square wave (each level twice: the first tuple holds it, a 0 ms tuple
 * jumps, because the trigger dims gradually between tuples of 50 ms or more). Without the
 * pattern trigger the double blink cannot be done in the kernel: returns undefined, and the
 * caller toggles `brightness` itself.
 */
export function ledClassPlan(pattern: LedPattern, availableTriggers: readonly string[], maxBrightness: number): LedClassWrite[] | undefined {
  const steps = LED_PATTERN_STEPS[pattern];
  const level = (on: boolean): string => String(on ? maxBrightness : 0);
  if (steps.length === 1) {
    return [
      { file: 'trigger', value: 'none' },
      { file: 'brightness', value: level(steps[0].on) },
    ];
  }
  if (steps.length === 2 && steps[0].on && !steps[1].on && availableTriggers.includes('timer')) {
    return [
      { file: 'trigger', value: 'timer' },
      { file: 'delay_on', value: String(steps[0].ms) },
      { file: 'delay_off', value: String(steps[1].ms) },
    ];
  }
  if (availableTriggers.includes('pattern')) {
    const tuples = steps.flatMap((step) => [`${level(step.on)} ${step.ms}`, `${level(step.on)} 0`]);
    return [
      { file: 'trigger', value: 'pattern' },
      { file: 'pattern', value: tuples.join(' ') },
      { file: 'repeat', value: '-1' },
    ];
  }
  return undefined;
}

/** The triggers a kernel LED offers, from its `trigger` file: "none [timer] heartbeat pattern". */
export function parseLedTriggers(text: string): { available: string[]; current: string | undefined } {
  const available: string[] = [];
  let current: string | undefined;
  for (const word of text.trim().split(/\s+/)) {
    if (!word) continue;
    const bracketed = /^\[(.+)\]$/.exec(word);
    available.push(bracketed ? bracketed[1] : word);
    if (bracketed) current = bracketed[1];
  }
  return { available, current };
}
