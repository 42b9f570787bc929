// One packet in, one class out: the model's feature vector filled from the pipeline's features and
// walked through the compact forest. Pure and allocation-free per packet.

import type { PacketClass } from '../features/packet-class.js';
import { FeatureVector, type PacketRow } from './features.js';
import type { LoadedModel } from './model-format.js';

export class PacketClassifier {
  readonly modelVersion: string;
  private readonly vector: FeatureVector;

  constructor(private readonly model: LoadedModel) {
    this.modelVersion = model.modelVersion;
    this.vector = new FeatureVector(model.features);
  }

  classify(row: PacketRow): PacketClass {
    return this.model.classes[this.model.forest.predict(this.vector.fill(row))];
  }
}
