// One line per event, with a syslog priority prefix when journald reads stdout (JOURNAL_STREAM),
// so `journalctl -p warning` works; plain lines otherwise.

export type LogLevel = 'error' | 'warning' | 'info' | 'debug';
const PRIORITY: Record<LogLevel, number> = { error: 3, warning: 4, info: 6, debug: 7 };

export type Logger = (level: LogLevel, line: string) => void;

export function createLogger(write: (text: string) => void, env: Record<string, string | undefined> = process.env): Logger {
  const journald = env.JOURNAL_STREAM !== undefined;
  return (level, line) => write(journald ? `<${PRIORITY[level]}>${line}\n` : `${new Date().toISOString()} ${level} ${line}\n`);
}
