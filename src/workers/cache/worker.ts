// Web Worker entry of the cache simulation: exposes createCacheApi() (api.ts) with comlink. The
// page talks to it through client.ts.
import * as Comlink from 'comlink';
import { createCacheApi } from './api.ts';

Comlink.expose(createCacheApi());
