// Reading and writing a policy's model.json + weights.bin in a folder (Node only; the page loads
// the same files with tf.loadLayersModel). Writes are atomic (temporary file + rename).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors.ts';
import { FeatureMlp, type ModelFiles } from './policy.ts';
import { checkModelFiles } from './shippedPolicy.ts';

/** Where the app's shipped policy lives, relative to the repository root. */
export const SHIPPED_POLICY_DIR = 'public/agent';

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function savePolicy(
  policy: FeatureMlp,
  dir: string,
  extra: Record<string, unknown> = {},
  prefix = '',
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const files = await policy.toFiles(extra);
  const weightsName = `${prefix}weights.bin`;
  files.modelJson.weightsManifest[0].paths = [weightsName];
  writeAtomic(path.join(dir, weightsName), new Uint8Array(files.weights));
  writeAtomic(path.join(dir, `${prefix}model.json`), `${JSON.stringify(files.modelJson, null, 1)}\n`);
}

export function policyExists(dir: string, prefix = ''): boolean {
  return existsSync(path.join(dir, `${prefix}model.json`));
}

/** Loads a policy folder; a missing or unreadable file is named in the error. */
export async function loadPolicy(dir: string, prefix = ''): Promise<FeatureMlp> {
  const modelFile = path.join(dir, `${prefix}model.json`);
  if (!existsSync(dir)) throw new Error(`no folder ${dir}`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a folder`);
  if (!existsSync(modelFile)) throw new Error(`no trained policy at ${modelFile}`);
  let modelJson: ModelFiles['modelJson'];
  try {
    modelJson = JSON.parse(readFileSync(modelFile, 'utf8'));
  } catch (e) {
    throw new Error(`${modelFile} is not valid JSON (${errorMessage(e).slice(0, 80)})`);
  }
  const manifest = (modelJson as { weightsManifest?: { paths?: string[] }[] } | null)?.weightsManifest;
  const named = Array.isArray(manifest) ? manifest[0]?.paths?.[0] : undefined;
  const weightsFile = path.join(dir, named || `${prefix}weights.bin`);
  if (!existsSync(weightsFile)) {
    // A model.json that is no layers model is the first thing wrong, not the weights beside it.
    if (!(modelJson as { modelTopology?: unknown } | null)?.modelTopology)
      checkModelFiles({ modelJson, weights: new ArrayBuffer(0) }, `the policy in ${dir}`);
    throw new Error(`${weightsFile} is missing${named ? ` (${modelFile} names it as its weights)` : ''}`);
  }
  const bytes = readFileSync(weightsFile);
  const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  checkModelFiles({ modelJson, weights }, `the policy in ${dir}`);
  return FeatureMlp.fromFiles({ modelJson, weights });
}
