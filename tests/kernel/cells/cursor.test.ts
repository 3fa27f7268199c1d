import { codePointsToUtf16, utf16ToCodePoints } from '../../../kernel/cells/cursor.js';

const text = 'a😀b🎉🎉c';

test('code points → UTF-16 offsets skip both halves of each astral character', () => {
  expect([0, 1, 2, 3, 4, 5, 6].map((cp) => codePointsToUtf16(text, cp))).toEqual([
    0, 1, 3, 4, 6, 8, 9,
  ]);
  expect(codePointsToUtf16(text, 99)).toBe(text.length);
  expect(codePointsToUtf16('plain', 3)).toBe(3);
});

test('UTF-16 offsets → code points, the inverse', () => {
  expect([0, 1, 3, 4, 6, 8, 9].map((u) => utf16ToCodePoints(text, u))).toEqual([
    0, 1, 2, 3, 4, 5, 6,
  ]);
  expect(utf16ToCodePoints(text, 99)).toBe([...text].length);
  for (let cp = 0; cp <= [...text].length; cp++)
    expect(utf16ToCodePoints(text, codePointsToUtf16(text, cp))).toBe(cp);
});

test('a lone surrogate counts as one code point, as Python does', () => {
  const lone = 'x\ud800y';
  expect(codePointsToUtf16(lone, 2)).toBe(2);
  expect(utf16ToCodePoints(lone, 3)).toBe(3);
});
