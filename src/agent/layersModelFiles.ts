// A tfjs layers model as model.json + weights.bin, with looplab's metadata: the format of the
// shipped policy and of the cost model.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface ModelFiles {
  /** model.json contents (tfjs layers-model format, weights in `weights.bin`). */
  modelJson: tf.io.ModelJSON;
  weights: ArrayBuffer;
}

/** Saves `model` in memory as model.json + weights.bin, `metadata` under userDefinedMetadata.looplab. */
export async function layersModelFiles(model: tfl.LayersModel, metadata: object): Promise<ModelFiles> {
  model.setUserDefinedMetadata({ looplab: metadata });
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const data = a.weightData as ArrayBuffer | ArrayBuffer[];
  const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  const modelJson: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as object,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
    userDefinedMetadata: { looplab: metadata },
  };
  return { modelJson, weights };
}
