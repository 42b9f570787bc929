// The product's folders import one another in one direction only: a cycle (judge/ ⇄ pipeline/
// once, service/ ⇄ gpio/ another time) means a piece sits in the wrong folder. gpio/ counts as one
// folder beside those of appliance/src.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/shared-data.js';

const SRC = join(REPO_ROOT, 'appliance', 'src');
const GPIO = join(REPO_ROOT, 'gpio');

/** The folder a product file belongs to: a folder of appliance/src, or gpio/ as a whole; undefined for the rest. */
function folderOf(file: string): string | undefined {
  const inGpio = relative(GPIO, file);
  if (!inGpio.startsWith('..')) return 'gpio';
  const inSrc = relative(SRC, file).split('/');
  // Files at appliance/src's root (defaults, errors, time formats) sit below every folder.
  return inSrc[0] === '..' || inSrc.length === 1 ? undefined : inSrc[0];
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const root of [SRC, GPIO]) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = join(entry.parentPath, entry.name);
      const from = folderOf(file);
      if (from === undefined) continue;
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const to = folderOf(resolve(dirname(file), spec));
        if (to === undefined || to === from) continue;
        if (!graph.has(from)) graph.set(from, new Set());
        graph.get(from)!.add(to);
      }
    }
  }
  return graph;
}

test('no two folders of the product import each other, directly or round about', () => {
  const graph = folderGraph();
  assert.ok(graph.get('pipeline')?.has('judge'), 'the graph is read (pipeline wires the judge)');
  assert.ok(graph.get('service')?.has('gpio'), 'gpio/ is in the graph (the service starts the sensors)');
  const cycles: string[] = [];
  for (const start of graph.keys()) {
    const stack: string[][] = [[start]];
    while (stack.length > 0) {
      const path = stack.pop()!;
      for (const next of graph.get(path.at(-1)!) ?? []) {
        if (next === start) cycles.push([...path, next].join(' → '));
        else if (!path.includes(next)) stack.push([...path, next]);
      }
    }
  }
  assert.deepEqual(cycles, []);
});

// The box ships dist/appliance and dist/gpio only (os-image/stage-app.sh): a static import of the
// simulator or the trainer would fail there at start-up. Type-only imports are erased, and the
// trainer is loaded on demand (cli/checkout-only.ts); the simulator may not be named at all.
test('nothing the box ships imports sim/, or models/train other than on demand', () => {
  const shipped = [join(REPO_ROOT, 'appliance'), join(REPO_ROOT, 'gpio')];
  const offending: string[] = [];
  let read = 0;
  for (const root of shipped) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = join(entry.parentPath, entry.name);
      read++;
      const text = readFileSync(file, 'utf8');
      for (const [statement, typeOnly, spec] of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gm)) {
        const target = relative(REPO_ROOT, resolve(dirname(file), spec));
        if (target.startsWith('sim/') || (target.startsWith('models/train/') && !typeOnly)) offending.push(`${relative(REPO_ROOT, file)}: ${statement.trim()}`);
      }
      for (const [, spec] of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) {
        if (relative(REPO_ROOT, resolve(dirname(file), spec)).startsWith('sim/')) offending.push(`${relative(REPO_ROOT, file)}: import('${spec}')`);
      }
    }
  }
  assert.ok(read > 100, `read only ${read} files`);
  assert.deepEqual(offending, []);
});
