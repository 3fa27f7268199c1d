/**
 * Secret redaction for everything a durable store writes: every string (at any depth, keys
 * included) has each secret value replaced by `***` before it is encoded, so a secret that leaked
 * into a step input, an output or an error message never reaches the disk.
 */
export const REDACTED = '***';

export type Redactor = <T>(value: T) => T;

/** Builds a redactor for `secrets`; empty values are ignored (they would match everywhere). */
export function makeRedactor(secrets: readonly string[]): Redactor | null {
  // Longest first, so a secret that contains another is replaced whole.
  const values = [...new Set(secrets.filter((s) => s.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return null;
  const redactString = (text: string): string => {
    let out = text;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[redactString(key)] = walk(v);
      return out;
    }
    return value;
  };
  return <T>(value: T): T => walk(value) as T;
}
