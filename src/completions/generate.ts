/**
 * Shell completion scripts generated from the oclif manifest: topics and subcommands as words separated
 * by spaces (`xrdctl sandbox fault add`), each command's flags (`--no-x` for negatable ones), the fixed
 * values of option flags and arguments, files for the other values. `xrdctl completion bash|zsh|fish`
 * prints them; completions/ holds the generated files (`npm run completions`), kept current by a test.
 *
 * All three scripts walk the words the same way: a word extends the command path only while the path
 * stays a known topic or command, so positional arguments (`cert import a.crt --<TAB>`) and flag values
 * (`--context ss1 --<TAB>`) never derail completion.
 */
export interface ManifestFlag {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  options?: readonly string[];
  description?: string;
  summary?: string;
  hidden?: boolean;
  allowNo?: boolean;
  multiple?: boolean;
}
export interface ManifestArg {
  name: string;
  description?: string;
  options?: readonly string[];
  required?: boolean;
}
export interface ManifestCommand {
  id: string;
  summary?: string;
  description?: string;
  hidden?: boolean;
  flags: Record<string, ManifestFlag>;
  args?: Record<string, ManifestArg>;
}
export interface OclifManifest {
  version?: string;
  commands: Record<string, ManifestCommand>;
}

export type Shell = 'bash' | 'zsh' | 'fish';

export const completionFiles: Record<Shell, string> = { bash: 'completions/xrdctl.bash', zsh: 'completions/_xrdctl', fish: 'completions/xrdctl.fish' };

interface Flag {
  name: string;
  char?: string;
  takesValue: boolean;
  options?: readonly string[];
  description: string;
  negatable: boolean;
  multiple: boolean;
}
interface Arg {
  name: string;
  description: string;
  options?: readonly string[];
  required: boolean;
}
/** a topic, a command, or both; path '' is the root */
export interface CompletionNode {
  path: string;
  description: string;
  /** next words → their description */
  subs: Map<string, string>;
  command?: { flags: Flag[]; args: Arg[] };
}

const firstLine = (s: string | undefined) => (s ?? '').split('\n')[0]!.trim();

/** path → node, sorted by path */
export function completionTable(m: OclifManifest): Map<string, CompletionNode> {
  const t = new Map<string, CompletionNode>();
  const node = (p: string) => {
    let n = t.get(p);
    if (!n) t.set(p, (n = { path: p, description: '', subs: new Map() }));
    return n;
  };
  node('');
  const commands = Object.values(m.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id));
  for (const c of commands) {
    const parts = c.id.split(':');
    for (let i = 0; i < parts.length; i++) node(parts.slice(0, i).join(':')).subs.set(parts[i]!, '');
    const n = node(c.id);
    n.description = firstLine(c.summary) || firstLine(c.description);
    n.command = {
      flags: Object.values(c.flags)
        .filter((f) => !f.hidden)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((f) => ({
          name: f.name,
          char: f.char,
          takesValue: f.type === 'option',
          options: f.options?.length ? f.options : undefined,
          description: firstLine(f.summary) || firstLine(f.description),
          negatable: f.type === 'boolean' && !!f.allowNo,
          multiple: !!f.multiple,
        })),
      args: Object.values(c.args ?? {}).map((a) => ({ name: a.name, description: firstLine(a.description), options: a.options?.length ? a.options : undefined, required: !!a.required })),
    };
  }
  // topics: a description from what they hold; subcommand descriptions from the nodes
  for (const n of t.values()) {
    if (!n.command) {
      const subs = [...n.subs.keys()].sort();
      const list = subs.join(', ');
      n.description = list.length > 60 ? `${list.slice(0, list.lastIndexOf(',', 57))}, …` : list;
    }
  }
  for (const n of t.values()) for (const s of n.subs.keys()) n.subs.set(s, t.get(n.path ? `${n.path}:${s}` : s)!.description);
  return new Map([...t.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** single-quoted for sh/zsh/fish */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const sortedKeys = (m: Map<string, string>) => [...m.keys()].sort();
const flagWords = (f: Flag) => [`--${f.name}`, ...(f.negatable ? [`--no-${f.name}`] : []), ...(f.char ? [`-${f.char}`] : [])];

// ------------------------------------------------------------------------------------------------ bash

function bash(t: Map<string, CompletionNode>): string {
  const nodeCases: string[] = [];
  const valueCases: string[] = [];
  for (const n of t.values()) {
    const flags = n.command ? [...n.command.flags.flatMap((f) => flagWords(f).filter((w) => w.startsWith('--'))), '--help'] : n.path === '' ? ['--help', '--version'] : [];
    const vflags = n.command ? n.command.flags.filter((f) => f.takesValue).flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]) : [];
    nodeCases.push(`    ${q(n.path)}) subs=${q(sortedKeys(n.subs).join(' '))}; flags=${q(flags.join(' '))}; vflags=${q(vflags.length ? ` ${vflags.join(' ')} ` : '')}; nargs=${n.command ? n.command.args.length : 0} ;;`);
    if (!n.command) continue;
    for (const f of n.command.flags.filter((x) => x.options)) {
      valueCases.push(`    ${[`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].map((w) => q(`${n.path} ${w}`)).join('|')}) words=${q(f.options!.join(' '))} ;;`);
    }
    n.command.args.forEach((a, i) => {
      if (a.options) valueCases.push(`    ${q(`${n.path} #${i}`)}) words=${q(a.options.join(' '))} ;;`);
    });
  }
  return `# bash completion for xrdctl (generated from oclif.manifest.json by npm run completions; do not edit)
# source it, or copy it to /etc/bash_completion.d/xrdctl (or ~/.local/share/bash-completion/completions/xrdctl)

# _xrdctl_node PATH: sets subs, flags, vflags (flags taking a value) and nargs; fails for an unknown path
_xrdctl_node() {
  case "$1" in
${nodeCases.join('\n')}
    *) return 1 ;;
  esac
}

# _xrdctl_values NODE KEY (a flag, or #N for the Nth argument): fixed values, or files
_xrdctl_values() {
  local words=""
  case "$1 $2" in
${valueCases.join('\n')}
  esac
  if [[ -n "$words" ]]; then
    COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  else
    compopt -o filenames 2>/dev/null
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}

_xrdctl() {
  local cur prev node="" w i value="" argn=0 subs flags vflags nargs
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --flag=value arrives as '--flag' '=' 'value' (COMP_WORDBREAKS)
  if [[ "$cur" == "=" ]]; then cur=""; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == "=" ]] && continue
    if [[ -n "$value" ]]; then value=""; continue; fi
    case "$w" in
      --*=*) ;;
      -*) _xrdctl_node "$node"; [[ "$vflags" == *" $w "* ]] && value="$w" ;;
      *)
        if (( argn == 0 )) && _xrdctl_node "\${node:+$node:}$w"; then
          node="\${node:+$node:}$w"
        else
          argn=$((argn + 1))
        fi
        ;;
    esac
  done
  _xrdctl_node "$node" || return 0
  # the value of a flag: --usage <TAB>, --usage=<TAB>, --usage=si<TAB>
  if [[ "\${COMP_WORDS[COMP_CWORD]}" == "=" ]]; then
    [[ "$vflags" == *" $prev "* ]] && { _xrdctl_values "$node" "$prev"; return 0; }
  elif [[ "$prev" == "=" ]] && (( COMP_CWORD >= 2 )); then
    w="\${COMP_WORDS[COMP_CWORD-2]}"
    [[ "$vflags" == *" $w "* ]] && { _xrdctl_values "$node" "$w"; return 0; }
  elif [[ -n "$value" ]]; then
    _xrdctl_values "$node" "$value"
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif [[ -n "$subs" ]] && (( argn == 0 )); then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  elif (( argn < nargs )); then
    _xrdctl_values "$node" "#$argn"
  fi
  return 0
}
complete -F _xrdctl xrdctl
`;
}

// ------------------------------------------------------------------------------------------------ zsh

/** text inside an _arguments [description] */
const zDesc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/:/g, '\\:');

function zshFlagSpecs(f: Flag): string[] {
  const value = f.takesValue ? `:${f.name.replace(/:/g, '\\:')}:${f.options ? `(${f.options.map((o) => o.replace(/([\\ ()])/g, '\\$1')).join(' ')})` : '_default'}` : '';
  const desc = `[${zDesc(f.description)}]`;
  const rep = f.multiple ? '*' : '';
  if (f.negatable) return [q(`(--${f.name} --no-${f.name})--${f.name}${desc}`), q(`(--${f.name} --no-${f.name})--no-${f.name}${desc}`)];
  if (f.char) {
    const excl = f.multiple ? '' : `(-${f.char} --${f.name})`;
    return [q(`${excl}${rep}-${f.char}${f.takesValue ? '+' : ''}${desc}${value}`), q(`${excl}${rep}--${f.name}${f.takesValue ? '=' : ''}${desc}${value}`)];
  }
  return [q(`${rep}--${f.name}${f.takesValue ? '=' : ''}${desc}${value}`)];
}

function zsh(t: Map<string, CompletionNode>): string {
  const nodes = [...t.keys()].map((p) => q(p)).join(' ');
  const subCases: string[] = [];
  const argCases: string[] = [];
  for (const n of t.values()) {
    if (n.subs.size) subCases.push(`    ${q(n.path)}) subs=(${sortedKeys(n.subs).map((s) => q(`${s}:${n.subs.get(s) ?? ''}`)).join(' ')}) ;;`);
    if (!n.command) continue;
    const specs = [...n.command.flags.flatMap(zshFlagSpecs), q('--help[Show help]')];
    n.command.args.forEach((a) => {
      const action = a.options ? `(${a.options.join(' ')})` : '_default';
      specs.push(q(`${a.required ? ':' : '::'}${a.name.replace(/:/g, '\\:')}${a.description ? ` -- ${a.description.replace(/:/g, '\\:')}` : ''}:${action}`));
    });
    argCases.push(`    ${q(n.path)}) _arguments -s -S \\\n      ${specs.join(' \\\n      ')} ;;`);
  }
  return `#compdef xrdctl
# zsh completion for xrdctl (generated from oclif.manifest.json by npm run completions; do not edit)
# put it in a directory on $fpath as _xrdctl (then compinit), or source it after compinit
_xrdctl() {
  local -a known subs
  local node="" w n
  local -i i=2
  known=(${nodes})
  # command words: each extends the path while the path stays a topic or command
  while (( i < CURRENT )); do
    w=\${words[i]}
    [[ $w == -* ]] && break
    (( \${known[(Ie)\${node:+$node:}$w]} )) || break
    node=\${node:+$node:}$w
    (( i++ ))
  done
  subs=()
  if (( i == CURRENT )) && [[ \${words[CURRENT]} != -* ]]; then
    case $node in
${subCases.join('\n')}
    esac
  fi
  if (( \${#subs} )); then
    _describe -t commands "xrdctl\${node:+ \${node//:/ }} command" subs
    return
  fi
  [[ -z $node ]] && { _arguments '--help[Show help]' '--version[Show the version]'; return; }
  # hand the command's own words to _arguments
  (( CURRENT -= i - 2 ))
  words=("xrdctl-\${node//:/-}" "\${(@)words[i,-1]}")
  case $node in
${argCases.join('\n')}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _xrdctl "$@"; else compdef _xrdctl xrdctl; fi
`;
}

// ------------------------------------------------------------------------------------------------ fish

function fish(t: Map<string, CompletionNode>): string {
  const nodes = [...t.keys()].filter((p) => p !== '').map(q).join(' ');
  const lines = [
    '# fish completion for xrdctl (generated from oclif.manifest.json by npm run completions; do not edit)',
    '# copy it to ~/.config/fish/completions/xrdctl.fish',
    `set -g __xrdctl_nodes ${nodes}`,
    '# the command path of the line so far (words extend it while it stays a topic or command), worked out',
    '# once per command line: fish evaluates every condition below for each completion',
    'function __xrdctl_update',
    '  set -l line (commandline -pc)',
    '  test "$line" = "$__xrdctl_line"; and return',
    '  set -g __xrdctl_line $line',
    '  set -l words (commandline -opc)',
    '  set -l path',
    '  for w in $words[2..-1]',
    "    string match -q -- '-*' $w; and break",
    '    contains -- (string join : $path $w) $__xrdctl_nodes; or break',
    '    set path $path $w',
    '  end',
    '  set -g __xrdctl_path (string join : $path)',
    '  # nothing after the path yet: where subcommands and a first argument go',
    '  set -g __xrdctl_bare (test (count $words) -eq (math (count $path) + 1); and echo 1)',
    'end',
    'function __xrdctl_at',
    '  __xrdctl_update',
    '  test "$__xrdctl_path" = "$argv[1]"',
    'end',
    'function __xrdctl_topic',
    '  __xrdctl_at $argv[1]; and test -n "$__xrdctl_bare"',
    'end',
    'complete -c xrdctl -f',
    "complete -c xrdctl -n '__xrdctl_at \"\"' -l help -d 'Show help'",
    "complete -c xrdctl -n '__xrdctl_at \"\"' -l version -d 'Show the version'",
  ];
  for (const n of t.values()) {
    for (const s of sortedKeys(n.subs)) lines.push(`complete -c xrdctl -n ${q(`__xrdctl_topic ${q(n.path)}`)} -a ${q(s)} -d ${q(n.subs.get(s) ?? '')}`);
    if (!n.command) continue;
    const cond = `-n ${q(`__xrdctl_at ${q(n.path)}`)}`;
    for (const f of n.command.flags) {
      const value = f.options ? ` -x -a ${q(f.options.join(' '))}` : f.takesValue ? ' -r -F' : '';
      lines.push(`complete -c xrdctl ${cond} -l ${f.name}${f.char ? ` -s ${f.char}` : ''}${value} -d ${q(f.description)}`);
      if (f.negatable) lines.push(`complete -c xrdctl ${cond} -l no-${f.name} -d ${q(f.description)}`);
    }
    lines.push(`complete -c xrdctl ${cond} -l help -d 'Show help'`);
    const a0 = n.command.args[0];
    if (a0?.options) lines.push(`complete -c xrdctl -n ${q(`__xrdctl_topic ${q(n.path)}`)} -a ${q(a0.options.join(' '))} -d ${q(a0.description)}`);
    else if (n.command.args.length) lines.push(`complete -c xrdctl ${cond} -F`);
  }
  return lines.join('\n') + '\n';
}

export function generateCompletion(shell: Shell, manifest: OclifManifest): string {
  const t = completionTable(manifest);
  if (shell === 'bash') return bash(t);
  if (shell === 'zsh') return zsh(t);
  if (shell === 'fish') return fish(t);
  throw new Error(`unknown shell ${String(shell)} (bash, zsh or fish)`);
}
