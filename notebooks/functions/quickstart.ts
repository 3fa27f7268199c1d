/**
 * Functions of the quickstart notebook's workflows (referenced from YAML as `quickstart.<export>`).
 * Deterministic and offline: no API key, no network.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

type Input = Record<string, unknown>;
interface Ctx {
  attempt: number;
  signal: AbortSignal;
  progress(message: string): void;
}

/** `{text, words}`: the issue with collapsed whitespace and its word count. */
export function normalize(input: Input): { text: string; words: number } {
  const text = String(input.issue ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') throw new TypeError('issue must be a non-empty string');
  return { text, words: text.split(' ').length };
}

/** `{summary}`: a one-line summary (reports progress so the notebook shows it live). */
export function summarize(input: Input, ctx: Ctx): { summary: string } {
  ctx.progress(`summarizing ${String(input.words)} words`);
  const text = String(input.text);
  const head = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return { summary: `Issue: ${head}` };
}

const CRITICAL = ['down', 'outage', 'data loss', '500'];

/** `{severity}`: critical when the issue names an outage, else normal. */
export function classify(input: Input): { severity: 'critical' | 'normal' } {
  const text = String(input.issue ?? '').toLowerCase();
  return { severity: CRITICAL.some((k) => text.includes(k)) ? 'critical' : 'normal' };
}

export function page_oncall(input: Input): { action: string } {
  return { action: `paged on-call about: ${String(input.issue)}` };
}

export function open_ticket(input: Input): { action: string } {
  return { action: `ticket opened for: ${String(input.issue)}` };
}

/**
 * Fails until the approval flag file exists (relative to the notebook's directory), so the
 * notebook can show a failed run, fix the cause (create the file) and `%resume` it.
 */
export function publish_when_approved(input: Input): { published: string } {
  const flag = path.resolve(String(input.flag ?? 'approved.flag'));
  if (!existsSync(flag)) {
    throw new Error(`not approved yet: create ${path.basename(flag)} to approve publishing`);
  }
  return { published: `release notes for ${String(input.release)}` };
}

/** Waits `ms` milliseconds, or stops early when the run is cancelled (interrupt). */
export async function wait(input: Input, ctx: Ctx): Promise<{ waited_ms: number }> {
  const ms = typeof input.ms === 'number' ? input.ms : 100;
  ctx.progress(`waiting ${ms} ms`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('wait cancelled'));
    }, { once: true });
  });
  return { waited_ms: ms };
}
