/**
 * Scrubs secrets from a token stream. Redacting each token alone would miss a key the model
 * streams in two pieces (`sk-ab` + `cd…`), so the tail that could still be the start of a secret
 * is held back until the next token (or `flush`) shows whether it is one.
 */
import { REDACTED } from '../store/redact.js';

export class StreamRedactor {
  private pending = '';
  private readonly secrets: string[];

  constructor(
    secrets: readonly string[],
    private readonly emit: (text: string) => void,
  ) {
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
  }

  push(token: string): void {
    if (this.secrets.length === 0) {
      if (token !== '') this.emit(token);
      return;
    }
    this.pending = this.redact(this.pending + token);
    const keep = this.heldTail(this.pending);
    const ready = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    if (ready !== '') this.emit(ready);
  }

  /** Emits whatever is held back (the stream ended, so it cannot become a secret any more). */
  flush(): void {
    if (this.pending !== '') this.emit(this.redact(this.pending));
    this.pending = '';
  }

  private redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some secret. */
  private heldTail(text: string): number {
    let best = 0;
    for (const s of this.secrets) {
      for (let n = Math.min(s.length - 1, text.length); n > best; n--) {
        if (text.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
