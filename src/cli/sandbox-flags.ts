import { Flags } from './oclif.js';

export const dirFlag = Flags.string({ description: 'sandbox state directory (default: $XDG_STATE_HOME/xrdctl/sandbox, or XRDCTL_SANDBOX_DIR)' });
