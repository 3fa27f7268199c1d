/**
 * Jupyter (protocol ≥ 5.2) counts `cursor_pos`, `cursor_start` and `cursor_end` in Unicode code
 * points; JavaScript strings and the TypeScript language service count UTF-16 code units. They
 * differ as soon as an astral character (an emoji, say) sits before the cursor, so every offset is
 * converted at the engine boundary: code points → UTF-16 on the way in, back on the way out.
 */

/** The UTF-16 offset of code point `codePoints` in `text` (clamped to the text). */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let seen = 0; seen < codePoints && offset < text.length; seen++) {
    const unit = text.charCodeAt(offset);
    const isPair = unit >= 0xd800 && unit <= 0xdbff && offset + 1 < text.length;
    const next = text.charCodeAt(offset + 1);
    offset += isPair && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return offset;
}

/** The number of code points in `text` before UTF-16 offset `offset` (clamped to the text). */
export function utf16ToCodePoints(text: string, offset: number): number {
  const end = Math.min(Math.max(0, offset), text.length);
  let codePoints = 0;
  for (let i = 0; i < end; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    // A surrogate pair is one code point: count it at its high half, skip the low half.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < end && next >= 0xdc00 && next <= 0xdfff) i++;
    codePoints++;
  }
  return codePoints;
}
