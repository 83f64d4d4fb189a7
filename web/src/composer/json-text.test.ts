import { describe, expect, it } from 'vitest';
import { JsonTextError, parseJsonText } from './json-text.ts';

describe('parseJsonText', () => {
  it('reads every JSON value like JSON.parse', () => {
    for (const text of [
      'null',
      'true',
      ' false ',
      '0',
      '-1.5e-3',
      '"a\\u00e9\\n\\""',
      '[]',
      '{}',
      '[1,[2,{"a":[null]}]]',
      '{"a":1,"b":"x"}',
    ]) {
      expect(parseJsonText(text).value).toEqual(JSON.parse(text));
    }
  });

  it.each([
    ['', 'unexpected end of input', 0],
    ['{"a":1,}', 'expected a member name in double quotes but found "}"', 7],
    ['[1 2]', 'expected "," or "]" but found "2"', 3],
    ['{"a" 1}', 'expected ":" but found "1"', 5],
    ['"abc', 'unterminated string', 0],
    ['"a\\x"', 'unknown escape "\\x" in string', 2],
    ['"\\u12"', 'bad \\u escape', 1],
    ['01', 'unexpected "1" after the JSON value', 1],
    ['tru', 'unexpected "t"', 0],
    ["{'a':1}", 'expected a member name in double quotes', 1],
    ['{"a":1,"a":2}', 'duplicate member "a"', 7],
    ['"a\tb"', 'control character in string', 2],
  ])('%j fails: %s at %i', (text, message, position) => {
    try {
      parseJsonText(text);
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(JsonTextError);
      expect((err as JsonTextError).message).toContain(message);
      expect((err as JsonTextError).position).toBe(position);
    }
  });

  it('notes integers that JavaScript cannot hold exactly', () => {
    expect(parseJsonText('[9007199254740991, 9007199254740993, 1e300]').imprecise).toEqual([
      { start: 19, end: 35, text: '9007199254740993' },
    ]);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseJsonText('['.repeat(500) + ']'.repeat(500))).toThrow('nested too deeply');
  });
});
