/**
 * `virt-gen completion bash|zsh|fish`: a completion script made from the program's own commander
 * tree, so every command and option the CLI accepts is completed and none that it does not.
 */
import type { Command, Option } from 'commander';
import { UsageError } from '../../util/errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

interface Spec {
  name: string;
  description: string;
  options: Option[];
}

export function runCompletion(shell: string, program: Command): void {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`completion ${shell}: expected one of ${SHELLS.join(', ')}`);
  }
  const specs: Spec[] = program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: c.options.filter((o) => !o.hidden),
  }));
  const globals = program.options.filter((o) => !o.hidden);
  const script =
    shell === 'bash'
      ? bashScript(specs, globals)
      : shell === 'zsh'
        ? zshScript(specs, globals)
        : fishScript(specs, globals);
  process.stdout.write(script);
}

const flags = (opts: Option[]): string =>
  opts.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)).join(' ');

/** Option values worth completing: a fixed list (choices), a folder, or a file. */
function valueWords(o: Option): string[] | 'dir' | 'file' | undefined {
  if (o.argChoices) return o.argChoices;
  if (!o.required && !o.optional) return undefined;
  return /dir/i.test(o.flags) ? 'dir' : 'file';
}

function bashScript(specs: Spec[], globals: Option[]): string {
  const names = specs.map((s) => s.name).join(' ');
  const perCommand = specs.map((s) => `    ${s.name}) opts="$opts ${flags(s.options)}" ;;`).join('\n');
  const valued = [...globals, ...specs.flatMap((s) => s.options)].filter((o) => valueWords(o));
  const cases = new Map<string, string>();
  for (const o of valued) {
    const v = valueWords(o);
    const reply = Array.isArray(v)
      ? `COMPREPLY=($(compgen -W "${v.join(' ')}" -- "$cur"))`
      : `COMPREPLY=($(compgen -${v === 'dir' ? 'd' : 'f'} -- "$cur"))`;
    for (const f of [o.short, o.long]) if (f) cases.set(f, reply);
  }
  const valueCases = [...cases].map(([f, reply]) => `    ${f}) ${reply}; return ;;`).join('\n');
  return `# bash completion for virt-gen (virt-gen completion bash)
_virt_gen() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local commands="${names}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case " $commands " in *" \${COMP_WORDS[i]} "*) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$prev" in
${valueCases}
  esac
  local opts="${flags(globals)} --help"
  case "$cmd" in
${perCommand}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _virt_gen virt-gen
`;
}

/** Text inside single quotes in zsh and fish, and inside zsh's [...] descriptions. */
const q = (s: string): string => s.replace(/'/g, `'\\''`).replace(/[[\]:]/g, ' ');

function zshOption(o: Option): string {
  const v = valueWords(o);
  const arg = Array.isArray(v)
    ? `:value:(${v.join(' ')})`
    : v === 'dir'
      ? ':dir:_files -/'
      : v
        ? ':file:_files'
        : '';
  const names = [o.short, o.long].filter(Boolean);
  const rest = `[${q(o.description)}]${arg}`;
  return names.length > 1 ? `{${names.join(',')}}'${rest}'` : `'${names[0]}${rest}'`;
}

function zshScript(specs: Spec[], globals: Option[]): string {
  const commands = specs.map((s) => `    '${s.name}:${q(s.description)}'`).join('\n');
  const perCommand = specs
    .map(
      (s) =>
        `    ${s.name}) _arguments -s \\\n      ${[...globals, ...s.options].map(zshOption).join(' \\\n      ')} \\\n      '*:file:_files' ;;`,
    )
    .join('\n');
  return `#compdef virt-gen
# zsh completion for virt-gen (virt-gen completion zsh > "\${fpath[1]}/_virt-gen")
_virt-gen() {
  local -a commands
  commands=(
${commands}
  )
  local cmd i
  for ((i = 2; i < CURRENT; i++)); do
    if (( \${commands[(I)\${words[i]}:*]} )); then cmd=\${words[i]}; break; fi
  done
  if [[ -z $cmd ]]; then
    _arguments -s ${globals.map(zshOption).join(' ')} '*::command:->cmd' && return
    _describe 'command' commands
    return
  fi
  case $cmd in
${perCommand}
  esac
}
_virt-gen "$@"
`;
}

function fishOption(o: Option, condition: string): string {
  const parts = ['complete -c virt-gen', `-n '${condition}'`];
  if (o.short) parts.push(`-s ${o.short.slice(1)}`);
  if (o.long) parts.push(`-l ${o.long.slice(2)}`);
  const v = valueWords(o);
  if (Array.isArray(v)) parts.push(`-x -a '${v.join(' ')}'`);
  else if (v) parts.push('-r -F');
  parts.push(`-d '${q(o.description)}'`);
  return parts.join(' ');
}

function fishScript(specs: Spec[], globals: Option[]): string {
  const lines = ['# fish completion for virt-gen (virt-gen completion fish)', 'complete -c virt-gen -f'];
  for (const s of specs) {
    lines.push(`complete -c virt-gen -n __fish_use_subcommand -a ${s.name} -d '${q(s.description)}'`);
  }
  for (const o of globals) lines.push(fishOption(o, 'true'));
  for (const s of specs) {
    for (const o of s.options) lines.push(fishOption(o, `__fish_seen_subcommand_from ${s.name}`));
    lines.push(`complete -c virt-gen -n '__fish_seen_subcommand_from ${s.name}' -F`);
  }
  return lines.join('\n') + '\n';
}
