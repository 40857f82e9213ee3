/**
 * The text of a virt-gen config file for an imported domain: `import { defineVm } from 'virt-gen'`
 * and one `defineVm({...})`, with the import's warnings and what the config cannot say as comments.
 */
import type { Domain } from '../domain/model.js';
import { domainToConfig } from './to-config/index.js';

export interface ConfigSourceOptions {
  /**
   * The imported domain XML, relative to the config file, used as its `template`: what the config
   * cannot express (listed in the header) is then kept from it.
   */
  template?: string;
  /** Where the command line came from, for the header. */
  source?: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Numbers people write in hex (a PCI slot, the guide's `hv_spinlocks=0x1fff`). */
const HEX_KEYS = new Set(['slot', 'spinlocks']);

/** A JavaScript literal for plain data, in the project's style (single quotes, trailing commas). */
export function toLiteral(value: unknown, indent = '', key = ''): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' && HEX_KEYS.has(key) && Number.isInteger(value))
    return '0x' + value.toString(16);
  if (typeof value === 'string')
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    const flat = `[${value.map((v) => toLiteral(v)).join(', ')}]`;
    if (flat.length <= 80 && !flat.includes('\n')) return flat;
    return `[\n${value.map((v) => `${inner}${toLiteral(v, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!entries.length) return '{}';
  const body = entries
    .map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : toLiteral(k)}: ${toLiteral(v, inner, k)},\n`)
    .join('');
  return `{\n${body}${indent}}`;
}

function commentLines(lines: string[]): string {
  return lines.map((l) => ` *   - ${l.replace(/\*\//g, '* /')}`).join('\n');
}

/** The config file for `domain`; `warnings` are the import's, kept as a comment for the reader. */
export function domainToConfigSource(
  domain: Domain,
  warnings: string[],
  options: ConfigSourceOptions = {},
): string {
  const { config, notes, assumed } = domainToConfig(domain);
  const withTemplate = options.template ? { ...config, template: options.template } : config;
  const header = [
    '/**',
    ` * Imported by \`virt-gen import\`${options.source ? ` from ${options.source.replace(/\*\//g, '* /')}` : ''}.`,
    ' * `virt-gen xml` on this file gives the imported domain, within what the config can say, plus',
    " * virt-gen's defaults where the command line said nothing (clock timers, S3/S4 off: docs/config.md).",
  ];
  if (notes.length) {
    header.push(
      ' *',
      options.template
        ? ` * Not expressible in the config, kept from the template (${options.template.replace(/\*\//g, '* /')}):`
        : ' * Not expressible in the config (not generated from it):',
      commentLines(notes),
    );
  }
  if (assumed.length) header.push(' *', ' * Assumed:', commentLines(assumed));
  if (warnings.length) header.push(' *', ' * Import warnings:', commentLines(warnings));
  header.push(' */');
  return `${header.join('\n')}\nimport { defineVm } from 'virt-gen';\n\nexport default defineVm(${toLiteral(withTemplate)});\n`;
}
