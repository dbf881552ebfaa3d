import { Flags } from './oclif.js';

export const dirFlag = Flags.string({ description: 'sandbox state directory (default: $XDG_STATE_HOME/xrdctl/sandbox, or XRDCTL_SANDBOX_DIR)' });

export const spareKeysFlag = Flags.integer({
  min: 0,
  max: 200,
  description:
    'token keys made ahead while the sandbox waits, so that many servers making keys at once do not queue on this machine (default: one per security server from 10 servers up, none below)',
});
