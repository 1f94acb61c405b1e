// Reading and writing the cost model's model.json + weights.bin in a folder (Node only).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CostModel } from './costModel.ts';

/** The development cost model committed with the code (see src/agent/README.md). */
export const COST_MODEL_DIR = 'public/agent/cost-model';

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function saveCostModel(model: CostModel, dir: string, extra: Record<string, unknown> = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const files = await model.toFiles(extra);
  writeAtomic(path.join(dir, 'weights.bin'), new Uint8Array(files.weights));
  writeAtomic(path.join(dir, 'model.json'), `${JSON.stringify(files.modelJson)}\n`);
}

export async function loadCostModel(dir: string): Promise<CostModel> {
  const modelFile = path.join(dir, 'model.json');
  if (!existsSync(modelFile)) throw new Error(`no cost model at ${modelFile}; train one with npm run train:cost`);
  const modelJson = JSON.parse(readFileSync(modelFile, 'utf8'));
  const bytes = readFileSync(path.join(dir, modelJson.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin'));
  return CostModel.fromFiles({
    modelJson,
    weights: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  });
}
