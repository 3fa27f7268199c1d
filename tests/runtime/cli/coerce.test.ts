import { coerceInputValue, parseInputPairs } from '../../../runtime/cli/coerce.js';
import { isAgentkernelError } from '../../../runtime/errors.js';

describe('-i value coercion', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['42', 42],
    ['-3.5', -3.5],
    ['1e3', 1000],
    ['[1, "a"]', [1, 'a']],
    ['{"k": {"n": 1}}', { k: { n: 1 } }],
    ['[not json', '[not json'],
    ['True', 'True'],
    ['null', 'null'],
    ['', ''],
    ['12abc', '12abc'],
    ['x=y', 'x=y'],
  ])('%j → %j', (raw, expected) => {
    expect(coerceInputValue(raw)).toEqual(expected);
  });

  it('splits on the first = and rejects pairs without a key', () => {
    expect(parseInputPairs(['issue=a=b', 'n=2', 'empty='])).toEqual({
      issue: 'a=b',
      n: 2,
      empty: '',
    });
    try {
      parseInputPairs(['novalue']);
      throw new Error('expected an error');
    } catch (e) {
      expect(isAgentkernelError(e) && e.code).toBe('AR-INPUT-VALIDATION');
    }
  });
});
