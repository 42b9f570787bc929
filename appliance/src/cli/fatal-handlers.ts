// A promise nobody awaited that rejects is a bug, and a process that carries on after one may be
// half broken (a stopped capture, a dead timer). So it is logged as one line and the process
// ends with exit code 1: under systemd, Restart=on-failure starts a fresh service five seconds
// later, and the journal says why.

export interface FatalProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  exit(code: number): never;
}

export function installFatalHandlers(proc: FatalProcess, write: (text: string) => void): void {
  proc.on('unhandledRejection', (reason) => {
    const detail = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const where = reason instanceof Error ? reason.stack?.split('\n')[1]?.trim() : undefined;
    write(`earshot: internal error, exiting: unhandled promise rejection: ${detail.split('\n')[0]}${where ? ` (${where})` : ''}\n`);
    proc.exit(1);
  });
}
