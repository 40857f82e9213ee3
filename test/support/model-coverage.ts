/**
 * Which properties of the domain model a set of documents exercises, so that a test can fail when
 * a modeled property appears in no document the suite validates and defines on libvirt (virtinst's
 * test_checkprops idea). A shape reused in many places (`<address>`, `<alias>`, `state='on'`)
 * counts once per field. Properties are named by one path where they occur, such as
 * `devices/disk/driver/@cache`.
 */
import type { Shape } from '../../src/domain/schema.js';

type Field = Shape[string];

const xmlName = (key: string, field: Field): string => ('xml' in field && field.xml) || key;
const label = (field: Field, key: string): string =>
  field.kind === 'attr' ? `@${xmlName(key, field)}` : field.kind === 'text' ? '#text' : xmlName(key, field);

/** Every field of a shape and of the shapes below it, with the first path it is found at. */
export function modelFields(shape: Shape, prefix = '', seen = new Map<Field, string>()): Map<Field, string> {
  for (const [key, field] of Object.entries(shape)) {
    if (seen.has(field)) continue;
    const path = prefix + label(field, key);
    seen.set(field, path);
    if (field.kind === 'child' || field.kind === 'list') modelFields(field.shape as Shape, `${path}/`, seen);
  }
  return seen;
}

/** Adds to `used` every field a decoded model object sets. */
export function markUsed(shape: Shape, value: Record<string, unknown>, used: Set<Field>): Set<Field> {
  for (const [key, field] of Object.entries(shape)) {
    const v = value[key];
    if (v === undefined) continue;
    used.add(field);
    if (field.kind === 'child') markUsed(field.shape as Shape, v as Record<string, unknown>, used);
    if (field.kind === 'list') {
      for (const item of v as Array<Record<string, unknown>>) markUsed(field.shape as Shape, item, used);
    }
  }
  return used;
}
