/** Config strings end up in the domain XML: the validator refuses what it cannot carry, by field. */
import { describe, expect, it } from '@jest/globals';
import { base, problems } from './helpers/problems.js';

describe('control characters in config strings', () => {
  it.each([
    [
      { title: 'Gaming\u0000' },
      'title: contains U+0000 (NUL) at character 7, which the domain XML cannot carry',
    ],
    [{ title: 'two\nlines' }, 'title: contains U+000A (a line break) at character 4: this field is one line'],
    [
      { description: 'ok\nbut\u0008' },
      'description: contains U+0008 (a control character) at character 7, which the domain XML cannot carry',
    ],
    [
      { description: 'dos\r\n' },
      'description: contains U+000D (a line break) at character 4: end lines with "\\n" alone',
    ],
    [
      { disks: [{ path: '/vm/\u001b.img' }] },
      'disks[0].path: contains U+001B (a control character) at character 5, which the domain XML cannot carry',
    ],
    [
      { qemuArgs: ['-global', 'a\u0001'] },
      'qemuArgs[1]: contains U+0001 (a control character) at character 2, which the domain XML cannot carry',
    ],
    [
      { evdev: { keyboard: '/dev/input/kbd\t' } },
      'evdev.keyboard: contains U+0009 (a tab) at character 15: this field is one line',
    ],
    [
      { emulator: '/usr/bin/q\uD800' },
      'emulator: contains U+D800 (half of a UTF-16 surrogate pair) at character 11, which the domain XML cannot carry',
    ],
  ])('refuses %j', (fields, message) => {
    expect(problems({ ...base, ...fields })).toContain(message);
  });

  it('keeps line breaks and tabs in the description, and any printable text', () => {
    expect(problems({ ...base, description: 'line one\n\tline two 🎮', title: 'Gaming — 4K' })).toEqual([]);
  });
});
