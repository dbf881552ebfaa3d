/**
 * Shell completion scripts generated from the oclif manifest (commands, topics separated by spaces,
 * flags and their fixed values). `xrdctl completion bash|zsh|fish` prints them; completions/ holds the
 * generated files, kept current by a test.
 */
export interface ManifestFlag {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  options?: string[];
  hidden?: boolean;
}
export interface OclifManifest {
  commands: Record<string, { id: string; hidden?: boolean; flags: Record<string, ManifestFlag> }>;
}

export type Shell = 'bash' | 'zsh' | 'fish';

interface Node {
  subs: Set<string>;
  flags: ManifestFlag[];
}

/** path ('' for the root, 'cert', 'cert:list') → its subcommands and flags */
export function completionTable(m: OclifManifest): Map<string, Node> {
  const t = new Map<string, Node>();
  const node = (p: string) => {
    let n = t.get(p);
    if (!n) t.set(p, (n = { subs: new Set(), flags: [] }));
    return n;
  };
  node('');
  for (const c of Object.values(m.commands)) {
    if (c.hidden) continue;
    const parts = c.id.split(':');
    for (let i = 0; i < parts.length; i++) node(parts.slice(0, i).join(':')).subs.add(parts[i]!);
    node(c.id).flags = Object.values(c.flags).filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name));
  }
  return t;
}

const sorted = (s: Set<string>) => [...s].sort();
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function bash(t: Map<string, Node>): string {
  const cases: string[] = [];
  const valueCases: string[] = [];
  for (const [p, n] of [...t.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const words = [...sorted(n.subs), ...n.flags.map((f) => `--${f.name}`)];
    cases.push(`    ${q(p)}) opts=${q(words.join(' '))} ;;`);
    for (const f of n.flags.filter((x) => x.options?.length)) valueCases.push(`    ${q(`${p} --${f.name}`)}) COMPREPLY=( $(compgen -W ${q(f.options!.join(' '))} -- "$cur") ); return ;;`);
  }
  return `# bash completion for xrdctl (generated from oclif.manifest.json; do not edit)
# source it, or copy it to /etc/bash_completion.d/xrdctl
_xrdctl() {
  local cur prev path i w opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && break
    path="\${path:+$path:}$w"
  done
  case "$path $prev" in
${valueCases.join('\n')}
  esac
  case "$path" in
${cases.join('\n')}
    *) opts="" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _xrdctl xrdctl
`;
}

function zsh(t: Map<string, Node>): string {
  const cases: string[] = [];
  const valueCases: string[] = [];
  for (const [p, n] of [...t.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const words = [...sorted(n.subs), ...n.flags.map((f) => `--${f.name}`)];
    cases.push(`    ${q(p)}) opts=(${words.map(q).join(' ')}) ;;`);
    for (const f of n.flags.filter((x) => x.options?.length)) valueCases.push(`    ${q(`${p} --${f.name}`)}) compadd -- ${f.options!.map(q).join(' ')}; return ;;`);
  }
  return `#compdef xrdctl
# zsh completion for xrdctl (generated from oclif.manifest.json; do not edit)
# put it in a directory on $fpath as _xrdctl
_xrdctl() {
  local -a opts
  local path="" w i
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && break
    path="\${path:+$path:}$w"
  done
  case "$path \${words[CURRENT-1]}" in
${valueCases.join('\n')}
  esac
  case "$path" in
${cases.join('\n')}
    *) opts=() ;;
  esac
  compadd -- "\${opts[@]}"
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _xrdctl "$@"; else compdef _xrdctl xrdctl; fi
`;
}

function fish(t: Map<string, Node>): string {
  const lines = [
    '# fish completion for xrdctl (generated from oclif.manifest.json; do not edit)',
    '# copy it to ~/.config/fish/completions/xrdctl.fish',
    'function __xrdctl_path',
    '  set -l words (commandline -opc)',
    '  set -l path',
    '  for w in $words[2..-1]',
    "    string match -q -- '-*' $w; and break",
    '    set path $path $w',
    '  end',
    '  string join : $path',
    'end',
    'complete -c xrdctl -f',
  ];
  for (const [p, n] of [...t.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const cond = `test (__xrdctl_path) = ${q(p)}`;
    if (n.subs.size) lines.push(`complete -c xrdctl -n ${q(cond)} -a ${q(sorted(n.subs).join(' '))}`);
    for (const f of n.flags) {
      const opts = f.options?.length ? ` -x -a ${q(f.options.join(' '))}` : f.type === 'option' ? ' -r' : '';
      lines.push(`complete -c xrdctl -n ${q(cond)} -l ${f.name}${f.char ? ` -s ${f.char}` : ''}${opts}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function generateCompletion(shell: Shell, manifest: OclifManifest): string {
  const t = completionTable(manifest);
  return shell === 'bash' ? bash(t) : shell === 'zsh' ? zsh(t) : fish(t);
}

export const completionFiles: Record<Shell, string> = { bash: 'completions/xrdctl.bash', zsh: 'completions/_xrdctl', fish: 'completions/xrdctl.fish' };
