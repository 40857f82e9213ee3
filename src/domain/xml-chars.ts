/**
 * Which characters an XML 1.0 document can carry: the one place that knows it, for the config
 * validator (which refuses them by field) and the XML writer (which refuses them for every producer,
 * import included, as the last line of defence: a document with a NUL in it is not XML at all).
 *
 * XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
 * We also refuse Unicode's noncharacters U+FDD0–U+FDEF (the spec asks authors to avoid them): the
 * writer uses three of them internally to keep tabs and line breaks in attribute values.
 */

export interface BadChar {
  /** Index in UTF-16 code units. */
  index: number;
  codePoint: number;
}

// Lone surrogates are matched by the `u` flag only when they are not part of a pair.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character XML 1.0 cannot carry, or undefined. */
export function findNonXmlChar(s: string): BadChar | undefined {
  const m = NOT_XML.exec(s);
  return m ? { index: m.index, codePoint: m[0].codePointAt(0) as number } : undefined;
}

/** `U+0007` and what it is, for messages. */
export function describeChar(codePoint: number): string {
  const u = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint === 0) return `${u} (NUL)`;
  if (codePoint === 0x0a || codePoint === 0x0d) return `${u} (a line break)`;
  if (codePoint === 0x09) return `${u} (a tab)`;
  if (codePoint < 0x20 || codePoint === 0x7f) return `${u} (a control character)`;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return `${u} (half of a UTF-16 surrogate pair)`;
  return `${u} (not a character XML can carry)`;
}
