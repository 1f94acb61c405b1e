// Policies a person kept and saved (e.g. fine-tuned on a problem), in IndexedDB: database
// `looplab-policies` (apart from the sessions' database, so neither needs the other's upgrade),
// store `policies`, key `id`. Records are read back as unknown values and checked before use:
// a damaged record still lists, and says what is wrong when used.
import type { ModelFiles } from '../agent/policy.ts';
import { checkModelFiles } from '../agent/shippedPolicy.ts';
import { indexedDbRecords, memoryRecords, type RecordStorage } from './recordStorage.ts';
import { errorMessage } from '../core/errors.ts';

export interface SavedPolicyMeta {
  id: string;
  label: string;
  savedAt: number;
  /** Why the record can't be used (it still lists). */
  damaged?: string;
}

interface PolicyRecord {
  id: string;
  label: string;
  savedAt: number;
  modelJson: ModelFiles['modelJson'];
  weights: ArrayBuffer;
}

/** Where saved policies are kept: IndexedDB in the page, a Map in tests. Reads return raw values. */
export type PolicyStorage = RecordStorage<PolicyRecord>;

export const POLICIES_DB = 'looplab-policies';

export function indexedDbPolicies(dbName = POLICIES_DB): PolicyStorage {
  return indexedDbRecords<PolicyRecord>(dbName, 'policies', 'id');
}

export function memoryPolicies(): PolicyStorage & { records: Map<string, unknown> } {
  return memoryRecords<PolicyRecord>('id');
}

/** The list entry of a stored value; null when it has no id at all. */
export function metaOf(value: unknown): SavedPolicyMeta | null {
  if (!value || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return null;
  const r = value as Partial<PolicyRecord>;
  const meta: SavedPolicyMeta = {
    id: r.id as string,
    label: typeof r.label === 'string' ? r.label : '(no name)',
    savedAt: typeof r.savedAt === 'number' ? r.savedAt : 0,
  };
  const problem = filesProblem(value);
  if (problem) meta.damaged = problem;
  return meta;
}

function filesProblem(value: unknown): string | null {
  const r = value as Partial<PolicyRecord>;
  try {
    checkModelFiles(
      { modelJson: r.modelJson as ModelFiles['modelJson'], weights: r.weights as ArrayBuffer },
      `the saved policy '${String(r.label)}'`,
    );
    return null;
  } catch (e) {
    return errorMessage(e);
  }
}

export async function listPolicies(storage: PolicyStorage): Promise<SavedPolicyMeta[]> {
  return (await storage.list())
    .map((row) => metaOf(row.value))
    .filter((m): m is SavedPolicyMeta => m !== null)
    .sort((a, b) => b.savedAt - a.savedAt);
}

export async function savePolicy(
  storage: PolicyStorage,
  label: string,
  files: ModelFiles,
  now = Date.now(),
): Promise<SavedPolicyMeta> {
  const id = `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await storage.put({ id, label, savedAt: now, modelJson: files.modelJson, weights: files.weights.slice(0) });
  return { id, label, savedAt: now };
}

/** The saved policy's files and label; throws with a message when it is gone or damaged. */
export async function loadPolicy(storage: PolicyStorage, id: string): Promise<{ label: string; files: ModelFiles }> {
  const value = await storage.get(id);
  if (value === undefined) throw new Error('that saved policy is gone (deleted in another tab?)');
  const meta = metaOf(value);
  if (!meta) throw new Error('that saved policy is not a policy record');
  if (meta.damaged) throw new Error(meta.damaged);
  const r = value as PolicyRecord;
  return { label: meta.label, files: { modelJson: r.modelJson, weights: r.weights } };
}
