// Runs evaluation jobs on child processes (fold-worker), one per core by default. Child
// processes rather than worker threads: they inherit the TypeScript loader when earshot runs from
// source, and a fold's results are small enough to send as JSON.

import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerRequest } from './fold-worker.js';

export async function runJobs<R>(requests: Array<Omit<WorkerRequest, 'id'>>, onDone: (done: number) => void, workers = availableParallelism()): Promise<R[]> {
  // The worker sits beside this module, with the same extension (.ts from source, .js from dist).
  const workerPath = fileURLToPath(new URL(`./fold-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  const results = new Array<R>(requests.length);
  let next = 0;
  let done = 0;
  const children: ChildProcess[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (child: ChildProcess): void => {
        if (next >= requests.length) return;
        const id = next++;
        child.send({ ...requests[id], id });
      };
      for (let w = 0; w < Math.max(1, Math.min(workers, requests.length)); w++) {
        const child = fork(workerPath, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        child.on('message', (message: { id: number; result?: R; error?: string }) => {
          if (message.error !== undefined) return reject(new Error(`evaluation job ${message.id} failed: ${message.error}`));
          results[message.id] = message.result!;
          onDone(++done);
          if (done === requests.length) resolve();
          else feed(child);
        });
        child.on('exit', (code) => {
          if (done < requests.length) reject(new Error(`an evaluation worker exited early (code ${code})`));
        });
        feed(child);
      }
    });
  } finally {
    for (const child of children) child.kill();
  }
  return results;
}
