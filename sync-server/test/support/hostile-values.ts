/**
 * Hostile inputs for fast-check fuzzing: NUL, lone surrogates, bidi marks, half emoji, prototype
 * names, huge and odd numbers, deep nesting, `__proto__` keys, broken JSON and odd header values.
 */
import fc from 'fast-check';

/** Postgres `text`/`jsonb` cannot hold NUL or a lone surrogate. */
export function storable(text: string): boolean {
  return !text.includes('\u0000') && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/**
 * The hostile inputs. With `unstorable`, strings also carry NUL and lone surrogates (which only
 * schema checks can keep from Postgres); without, every string is one Postgres can store, so the
 * other failures are not hidden behind those.
 */
export function hostileValues(unstorable: boolean) {
  /** Pieces that have broken servers: NUL, lone surrogates, bidi controls, half an emoji, prototype names. */
  const PIECES = [
    '\u0000',
    '\ud800',
    '\udfff',
    '\ud83d',
    'a\u0000b',
    '\u202e',
    '\u200f',
    '\u2066',
    '\u061c',
    '\ufeff',
    '\uffff',
    '😀',
    '😀'.slice(0, 1),
    'مرحبا',
    'שלום',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '%00',
    '%',
    '../',
    '\\',
    '"',
    "'",
    '<script>',
    '${x}',
    '\r\n',
    ' ',
    '',
    '0',
    '-1',
    'null',
    'NaN',
    'Infinity',
    '1e309',
  ];

  const anyString = fc.oneof(
    fc.constantFrom(...PIECES),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 8 }).map((parts) => parts.join('')),
    fc.constantFrom('x'.repeat(300), 'é'.repeat(20_001), '\u0000'.repeat(100)),
  );

  const nastyString = anyString.filter((text) => unstorable || storable(text));

  const nastyNumber = fc.oneof(
    fc.constantFrom(
      0,
      -0,
      -1,
      1,
      1.5,
      2 ** 31,
      2 ** 53,
      2 ** 53 + 2,
      2 ** 63,
      2 ** 64,
      -(2 ** 63),
      1e308,
      -1e308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
    ),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );

  /** `{"__proto__": ...}` as an own key (JSON.parse makes one; an object literal would not). */
  const protoObject = fc.constantFrom(
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') as unknown,
    JSON.parse('{"__proto__": null, "id": "x"}') as unknown,
  );

  function nested(depth: number): unknown {
    let value: unknown = 'deep';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  }
  const deep = fc.constantFrom(nested(50), nested(500), nested(3000));

  const { value: anyValue } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      nastyString,
      nastyNumber,
      fc.boolean(),
      fc.constant(null),
      protoObject,
      deep,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
    ),
  }));

  /** Bodies that are not JSON at all, or JSON that strains the parser. */
  const rawBody = fc
    .oneof(
      fc.constantFrom(
        '',
        '{',
        '}',
        '[',
        'nul',
        '{"a":}',
        '{"a":1,}',
        '\u0000',
        '1e999999',
        '-',
        '"\\ud800"',
        '"\\u0000"',
        '['.repeat(100_000),
      ),
      fc.constantFrom(
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        `{"a":${'9'.repeat(5000)}}`,
        '{"__proto__":{"polluted":true},"email":"a@b.c"}',
      ),
      fc.string({ unit: 'binary', maxLength: 60 }),
    )
    .filter((text) => unstorable || (storable(text) && !/\\u0000|\\ud[89ab]/i.test(text)));

  /** A field: usually wrong, sometimes right. */
  const field = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 1, arbitrary: good }, { weight: 3, arbitrary: anyValue });

  /** Header values fetch can send (bytes 0x20-0xff); hostile ones come from the bytes themselves. */
  const headerValue = fc.oneof(
    fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'Bearer x',
      'bearer  a b',
      `Bearer ${'a'.repeat(5000)}`,
      'Basic YTpi',
      'Bearer %00',
      'Bearer \u00ff\u00fe',
    ),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  );

  /** Percent-escapes that decode to NUL or to invalid UTF-8, for paths. */
  const unstorableEscapes = unstorable ? ['%00', '%ED%A0%80'] : [];

  return { nastyString, nastyNumber, anyValue, rawBody, field, headerValue, unstorableEscapes };
}
