// The one place the classifier touches the file system: reading a model file, and finding the
// shipped one whether earshot runs from source or from dist/.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModel, ModelLoadError, type LoadedModel, type ModelExpectations } from './model-format.js';

export const SHIPPED_MODEL_NAME = 'earshot-forest.json';

export function loadModelFile(path: string, expect: ModelExpectations = {}): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ModelLoadError(`${path}: cannot read the model (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return decodeModel(text, path, expect);
}

/** `models/earshot-forest.json` of the checkout or install this module belongs to. */
export function shippedModelPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'models', SHIPPED_MODEL_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new ModelLoadError(`the shipped model models/${SHIPPED_MODEL_NAME} was not found above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}
