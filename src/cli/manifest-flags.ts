import { Args, Flags } from './oclif.js';

export const manifestArgs = { files: Args.string({ required: true, description: 'manifest files or folders (several allowed)' }) };
export const concurrencyFlag = Flags.integer({
  default: 8,
  min: 1,
  max: 256,
  description: 'security servers read and changed in parallel (the central server is read beside them)',
});
