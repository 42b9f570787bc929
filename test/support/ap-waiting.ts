// Waiting on things that happen, with a bound: the items seen so far are kept, so a wait never
// misses one that came before it started.

export class Seen<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push = (item: T): void => {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  };

  /** Resolves with the first item from index `from` on that matches. */
  waitFor<U extends T = T>(match: (item: T) => boolean, timeoutMs: number, what: string, from = 0): Promise<U> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.items.slice(from).find(match);
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found as U);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen: ${JSON.stringify(this.items.slice(from)).slice(0, 800)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
