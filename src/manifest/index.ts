export { loadManifest, type LoadResult } from './load.js';
export { manifestSchema } from './schema.js';
