/**
 * Shell completion scripts generated from the oclif manifest: topics and subcommands as words separated
 * by spaces (`xrdctl sandbox fault add`), each command's flags (`--no-x` for negatable ones), the fixed
 * values of option flags and arguments, files for the other values. `xrdctl completion bash|zsh|fish`
 * prints them; completions/ holds the generated files (`npm run completions`), kept current by a test.
 *
 * All three scripts walk the words the same way: a word extends the command path only while the path
 * stays a known topic or command, so positional arguments (`cert import a.crt --<TAB>`) and flag values
 * (`--context ss1 --<TAB>`) never derail completion.
 *
 * Values that live elsewhere are asked for at TAB time through `xrdctl __complete KIND` (src/completions/dynamic.ts,
 * answered before oclif loads): context names for `-c`, `--cs-context`, `--central-context` and `context
 * use|remove|show`; the server names of the manifests on the line (`-f FILE … --server <TAB>`); certificate hashes
 * and key ids of the line's (or the current) context. Fixed values with spaces (`SUBMITTED FOR APPROVAL`) stay
 * one word in every shell.
 */
import type { DynamicKind } from './dynamic.js';

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
  dynamic?: DynamicKind;
}
interface Arg {
  name: string;
  description: string;
  options?: readonly string[];
  required: boolean;
  dynamic?: DynamicKind;
}

/** Which flags and arguments take values that only exist at run time (see the header). */
export function dynamicKind(commandId: string, name: string, isFlag: boolean, commandFlags: readonly string[]): DynamicKind | undefined {
  if (isFlag && ['context', 'cs-context', 'central-context'].includes(name)) return 'contexts';
  if (isFlag && name === 'server' && commandFlags.includes('manifest')) return 'servers';
  if (!isFlag && name === 'name' && /^context:(use|remove|show)$/.test(commandId)) return 'contexts';
  if ((!isFlag && name === 'hash' && commandId.startsWith('cert:')) || (isFlag && name === 'cert' && commandId.startsWith('rotate:'))) return 'certs';
  if (name === 'key' && /^(key|csr):/.test(commandId)) return 'keys';
  return undefined;
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
          dynamic: f.type === 'option' && !f.options?.length ? dynamicKind(c.id, f.name, true, Object.keys(c.flags)) : undefined,
        })),
      args: Object.values(c.args ?? {}).map((a) => ({
        name: a.name,
        description: firstLine(a.description),
        options: a.options?.length ? a.options : undefined,
        required: !!a.required,
        dynamic: a.options?.length ? undefined : dynamicKind(c.id, a.name, false, Object.keys(c.flags)),
      })),
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
/** bash $'…': one value a line, so a value with spaces stays one word */
const bashLines = (values: readonly string[]) => `$'${values.map((v) => v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")).join('\\n')}'`;
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
      valueCases.push(`    ${[`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].map((w) => q(`${n.path} ${w}`)).join('|')}) words=${bashLines(f.options!)} ;;`);
    }
    for (const f of n.command.flags.filter((x) => x.dynamic)) {
      valueCases.push(`    ${[`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].map((w) => q(`${n.path} ${w}`)).join('|')}) dyn=${f.dynamic} ;;`);
    }
    n.command.args.forEach((a, i) => {
      if (a.options) valueCases.push(`    ${q(`${n.path} #${i}`)}) words=${bashLines(a.options)} ;;`);
      else if (a.dynamic) valueCases.push(`    ${q(`${n.path} #${i}`)}) dyn=${a.dynamic} ;;`);
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

# _xrdctl_values NODE KEY (a flag, or #N for the Nth argument): fixed values (one a line), values asked of
# \`xrdctl __complete KIND\` (contexts, manifest servers, certificate hashes, key ids), or files
_xrdctl_values() {
  local words="" dyn="" IFS=$'\\n' c="\${cur//\\\\/}"
  c="\${c#\\"}"; c="\${c#\\'}"
  case "$1 $2" in
${valueCases.join('\n')}
  esac
  if [[ -n "$dyn" ]]; then
    words="$("\${COMP_WORDS[0]}" __complete "$dyn" \${ctx:+"--context=$ctx"} "\${mfs[@]/#/--manifest=}" 2>/dev/null)"
    [[ -z "$words" ]] && return 0
  fi
  if [[ -n "$words" ]]; then
    COMPREPLY=( $(compgen -W "$words" -- "$c") )
    (( \${#COMPREPLY[@]} )) && COMPREPLY=( $(printf '%q\\n' "\${COMPREPLY[@]}") )
  else
    compopt -o filenames 2>/dev/null
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}

_xrdctl() {
  local cur prev node="" w i value="" argn=0 subs flags vflags nargs ctx="" mfs=()
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --flag=value arrives as '--flag' '=' 'value' (COMP_WORDBREAKS)
  if [[ "$cur" == "=" ]]; then cur=""; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == "=" ]] && continue
    if [[ -n "$value" ]]; then
      # the line's context and manifests, for the values asked of xrdctl
      case "$value" in -c|--context) ctx="$w" ;; -f|--manifest) mfs+=("$w") ;; esac
      value=""; continue
    fi
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

/** an _arguments action for fixed values; values with spaces go through compadd, so each stays one word */
const zshValues = (values: readonly string[]) =>
  values.some((v) => /\s/.test(v)) ? `{compadd -- ${values.map((v) => `"${v.replace(/["$`\\]/g, '\\$&')}"`).join(' ')}}` : `(${values.map((o) => o.replace(/([\\ ()])/g, '\\$1')).join(' ')})`;

function zshFlagSpecs(f: Flag): string[] {
  const value = f.takesValue ? `:${f.name.replace(/:/g, '\\:')}:${f.options ? zshValues(f.options) : f.dynamic ? `{_xrdctl_dyn ${f.dynamic}}` : '_default'}` : '';
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
      const action = a.options ? zshValues(a.options) : a.dynamic ? `{_xrdctl_dyn ${a.dynamic}}` : '_default';
      specs.push(q(`${a.required ? ':' : '::'}${a.name.replace(/:/g, '\\:')}${a.description ? ` -- ${a.description.replace(/:/g, '\\:')}` : ''}:${action}`));
    });
    argCases.push(`    ${q(n.path)}) _arguments -s -S \\\n      ${specs.join(' \\\n      ')} ;;`);
  }
  return `#compdef xrdctl
# zsh completion for xrdctl (generated from oclif.manifest.json by npm run completions; do not edit)
# put it in a directory on $fpath as _xrdctl (then compinit), or source it after compinit

# _xrdctl_dyn KIND: values asked of \`xrdctl __complete KIND\` with the line's context and manifests
_xrdctl_dyn() {
  local -a args vals
  local -i j
  for (( j = 2; j <= $#words; j++ )); do
    case \${words[j]} in
      -c|--context) args+=("--context=\${words[j+1]}") ;;
      -f|--manifest) args+=("--manifest=\${words[j+1]}") ;;
      --context=*|--manifest=*) args+=("\${words[j]}") ;;
    esac
  done
  vals=(\${(f)"$(\${_xrdctl_cmd:-xrdctl} __complete $1 $args 2>/dev/null)"})
  (( \${#vals} )) && compadd -a vals
}

_xrdctl() {
  local -a known subs
  local node="" w n _xrdctl_cmd=\${words[1]}
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

/** fish -a: a list split at spaces, so values with spaces come one a line from printf */
const fishValues = (values: readonly string[]) => (values.some((v) => /\s/.test(v)) ? q(`(printf '%s\\n' ${values.map((v) => `"${v.replace(/["$\\]/g, '\\$&')}"`).join(' ')})`) : q(values.join(' ')));

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
    '# values asked of `xrdctl __complete KIND` with the line\'s context and manifests',
    'function __xrdctl_dyn',
    '  set -l words (commandline -opc)',
    '  set -l args',
    '  for i in (seq 2 (count $words))',
    '    set -l n (math $i + 1)',
    '    switch $words[$i]',
    '      case -c --context',
    '        test $n -le (count $words); and set args $args --context=$words[$n]',
    '      case -f --manifest',
    '        test $n -le (count $words); and set args $args --manifest=$words[$n]',
    "      case '--context=*' '--manifest=*'",
    '        set args $args $words[$i]',
    '    end',
    '  end',
    '  $words[1] __complete $argv[1] $args 2>/dev/null',
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
      const value = f.options ? ` -x -a ${fishValues(f.options)}` : f.dynamic ? ` -x -a ${q(`(__xrdctl_dyn ${f.dynamic})`)}` : f.takesValue ? ' -r -F' : '';
      lines.push(`complete -c xrdctl ${cond} -l ${f.name}${f.char ? ` -s ${f.char}` : ''}${value} -d ${q(f.description)}`);
      if (f.negatable) lines.push(`complete -c xrdctl ${cond} -l no-${f.name} -d ${q(f.description)}`);
    }
    lines.push(`complete -c xrdctl ${cond} -l help -d 'Show help'`);
    const a0 = n.command.args[0];
    if (a0?.options) lines.push(`complete -c xrdctl -n ${q(`__xrdctl_topic ${q(n.path)}`)} -a ${fishValues(a0.options)} -d ${q(a0.description)}`);
    else if (a0?.dynamic) lines.push(`complete -c xrdctl ${cond} -a ${q(`(__xrdctl_dyn ${a0.dynamic})`)} -d ${q(a0.description)}`);
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
