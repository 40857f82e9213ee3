/**
 * The model writes every element back where it was: known children in libvirt's order, unknown
 * ones (a newer libvirt's element, a hand edit) right after the known child they followed. Checked
 * on every domain document of libvirt's own test corpus (../shared, GPL: read there, never copied).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseXml } from '../../../src/domain/xml-read.js';
import {
  EDITED_LEVELS,
  UNKNOWN,
  insertionDifferences,
  orderDifferences,
  throughModel,
} from '../../support/element-order.js';
import { SHARED } from '../../support/paths.js';

const CORPUS = path.join(SHARED, 'corpus', 'libvirt-tests');

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return xmlFiles(p);
    return p.endsWith('.xml') ? [p] : [];
  });
}

const files = xmlFiles(CORPUS);
const docs = files.map((f) => [path.relative(CORPUS, f), parseXml(readFileSync(f, 'utf8'))] as const);

describe("libvirt's test corpus through the model", () => {
  it('has the corpus to read', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('keeps the sequence of element names at every level of every document', () => {
    const problems = docs.flatMap(([name, doc]) =>
      orderDifferences(doc, throughModel(doc)).map((d) => `${name}: ${d}`),
    );
    expect(problems).toEqual([]);
  });

  it('writes a hand-inserted unknown element back at the position it was inserted, at every position', () => {
    const problems = docs.flatMap(([name, doc]) =>
      insertionDifferences(doc, EDITED_LEVELS, UNKNOWN).map((d) => `${name}: ${d}`),
    );
    expect(problems).toEqual([]);
  });
});
