/** Unified diffs of domain XML, for people: both sides are re-serialised the same way first. */
import { createTwoFilesPatch } from 'diff';
import { parseXml, writeXml, type XmlElement } from '../domain/index.js';

/**
 * A unified diff from `before` to `after` ('' when they are the same). Both are written by the same
 * serialiser, so quoting and indentation (libvirt prints `'`, virt-gen `"`) never show up as changes.
 */
export function xmlDiff(
  before: string | XmlElement | undefined,
  after: string | XmlElement,
  beforeLabel: string,
  afterLabel: string,
): string {
  const [a, b] = [before === undefined ? '' : normalise(before), normalise(after)];
  if (a === b) return '';
  const patch = createTwoFilesPatch(beforeLabel, afterLabel, a, b, undefined, undefined, { context: 3 });
  return (
    patch
      .split('\n')
      .filter((line) => !/^=+$/.test(line)) // the banner line the diff package puts first
      .map((line) => line.replace(/\t$/, '')) // the empty header dates leave a tab behind
      .join('\n')
      .trimEnd() + '\n'
  );
}

function normalise(xml: string | XmlElement): string {
  return writeXml(typeof xml === 'string' ? parseXml(xml) : xml);
}
