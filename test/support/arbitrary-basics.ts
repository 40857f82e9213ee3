/** The small pieces every config arbitrary is drawn from (config-arbitrary.ts, machine-arbitrary.ts, storage-arbitrary.ts). */
import fc from 'fast-check';

export type Arb<T> = fc.Arbitrary<T>;

/** A field left out, or a value. */
export const maybe = <T>(arb: Arb<T>): Arb<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });

/** Usually `good`; with `wild`, one time in eight `bad`. */
export function mostly<T, U>(wild: boolean, good: Arb<T>, bad: Arb<U>): Arb<T | U> {
  return wild ? fc.oneof({ weight: 7, arbitrary: good }, { weight: 1, arbitrary: bad }) : good;
}

export const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', 'a\u0000b', 'line\nbreak', 'tab\there', '\uD800', 'a,b', 'x'.repeat(20)),
);

export const absPath = (dir: string, ext: string): Arb<string> =>
  fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/).map((n) => `${dir}/${n}${ext}`);
