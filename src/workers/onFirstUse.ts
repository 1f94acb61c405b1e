// A worker client whose module loads on its first use. The page holds the agent's and the lab's
// clients this way: a client module names its worker's URL, and the first-load budget
// (scripts/bundle-size.ts) counts every worker that a first-load chunk can start as started at
// load, tfjs and all; these two start only when someone runs the agent or the lab.
export interface OnFirstUse<C> {
  /** The client, its module loaded first if needed. */
  get(): Promise<C>;
  /** The client if its module has loaded, else null (stopping it needs no load). */
  loaded(): C | null;
}

export function onFirstUse<C>(load: () => Promise<C>): OnFirstUse<C> {
  let client: C | null = null;
  let loading: Promise<C> | null = null;
  return {
    get: () =>
      (loading ??= load().then(
        (c) => (client = c),
        (error: unknown) => {
          loading = null;
          throw error;
        },
      )),
    loaded: () => client,
  };
}
