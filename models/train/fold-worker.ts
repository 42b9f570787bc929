// A child process of `earshot train-report`: runs the evaluation jobs it is sent and returns
// their results. Each fold trains a forest for seconds, so two of these keep both cores busy.

import type { Capture } from './dataset.js';
import { loadCaptures } from './dataset.js';
import type { ForestParams } from './fit-forest.js';
import { buildEvalData, captureFold, paperProtocol, type EvalData } from './protocols.js';
import { VARIANTS, type Job } from './report-plan.js';

export interface WorkerRequest extends Job {
  id: number;
  inputs: string[];
  params: ForestParams;
  seed: number;
}

let captures: { inputs: string; value: Capture[] } | undefined;
const data = new Map<string, EvalData>();

process.on('message', (request: WorkerRequest) => {
  try {
    const inputs = JSON.stringify(request.inputs);
    if (captures?.inputs !== inputs) {
      captures = { inputs, value: loadCaptures(request.inputs) };
      data.clear();
    }
    const variant = VARIANTS.find((v) => v.key === request.variant);
    if (!variant) throw new Error(`unknown variant ${request.variant}`);
    let evalData = data.get(variant.key);
    if (!evalData) data.set(variant.key, (evalData = buildEvalData(captures.value, variant.data)));
    const result = request.fold < 0 ? paperProtocol(evalData, request.params, request.seed) : captureFold(evalData, request.fold, request.params, request.seed);
    process.send!({ id: request.id, result });
  } catch (error) {
    process.send!({ id: request.id, error: (error as Error).stack ?? String(error) });
  }
});
