import { Args, Command, Flags, loadHelpClass } from '../src/cli/oclif.js';

/**
 * `xrdctl help [COMMAND]`: @oclif/plugin-help's command, kept here so that no plugin is loaded at start
 * (oclif's own Help class renders it, as it renders --help and -h). Not an XrdCommand: it prints oclif's help
 * and has no --json result.
 */
export default class HelpCommand extends Command {
  static override args = { command: Args.string({ description: 'Command to show help for.', required: false }) };
  static override description = 'Display help for xrdctl.';
  static override examples = ['<%= config.bin %> help context list', '<%= config.bin %> help cs --nested-commands'];
  static override flags = { 'nested-commands': Flags.boolean({ char: 'n', description: 'Include all nested commands in the output.' }) };
  static override strict = false;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(HelpCommand);
    const Help = await loadHelpClass(this.config);
    await new Help(this.config, { all: flags['nested-commands'] }).showHelp(argv as string[]);
  }
}
