import { StreamRedactor } from '../../../runtime/agents/stream-redactor.js';

describe('StreamRedactor', () => {
  const SECRET = 'sk-abcdef123456';
  const run = (pieces: string[]) => {
    const out: string[] = [];
    const r = new StreamRedactor([SECRET], (t) => out.push(t));
    for (const p of pieces) r.push(p);
    r.flush();
    return out;
  };

  it('catches a secret streamed across several tokens, at any split point', () => {
    const text = `before ${SECRET} after`;
    for (let a = 1; a < text.length - 1; a++) {
      for (const b of [a + 1, a + 3, a + 7]) {
        if (b >= text.length) continue;
        const out = run([text.slice(0, a), text.slice(a, b), text.slice(b)]);
        expect(out.join('')).toBe('before *** after');
        for (const piece of out) expect(piece).not.toContain('sk-abc');
      }
    }
  });

  it('passes text through untouched (and promptly) when nothing could be a secret', () => {
    const out: string[] = [];
    const r = new StreamRedactor([SECRET], (t) => out.push(t));
    r.push('hello ');
    expect(out).toEqual(['hello ']);
    r.push('s');
    expect(out).toEqual(['hello ']); // 's' might start the key: held back
    r.push('ure');
    expect(out).toEqual(['hello ', 'sure']);
  });
});
