/**
 * Deterministic stand-ins used by the sample workflows (no API key needed). Referenced from YAML
 * as `stubs.<export>`. Each function receives the step's resolved inputs and a StepContext
 * (runtime/steps/context.ts) and returns a plain object that becomes `state.steps.<step id>`.
 */
type Input = Record<string, unknown>;
interface Ctx {
  attempt: number;
  signal: AbortSignal;
  progress(message: string): void;
}

/** `{summary: "Summary of issue: <issue>"}`; an empty issue is an error (sample 02's retry case). */
export function generate_summary(input: Input): { summary: string } {
  const issue = input.issue;
  if (typeof issue !== 'string' || issue.trim() === '') {
    throw new TypeError('issue must be a non-empty string');
  }
  return { summary: `Summary of issue: ${issue}` };
}

/**
 * Deliberately flaky: fails attempts 1..`fail_attempts` and succeeds after that, so retry tests
 * are deterministic (the attempt number comes from the context, not from hidden module state).
 */
export function flaky_summary(input: Input, ctx: Ctx): { summary: string; attempt: number } {
  const failures = typeof input.fail_attempts === 'number' ? input.fail_attempts : 1;
  if (ctx.attempt <= failures) throw new Error(`transient failure on attempt ${ctx.attempt}`);
  return { summary: `Summary of issue: ${String(input.issue)}`, attempt: ctx.attempt };
}

/** Never resolves unless its signal aborts: shows that `timeout_ms` applies to function steps. */
export function wait_forever(_input: Input, ctx: Ctx): Promise<never> {
  return new Promise((_resolve, reject) => {
    ctx.signal.addEventListener('abort', () => reject(new Error('stopped waiting')), {
      once: true,
    });
  });
}

/** Async function with a delay (honours cancellation): `{slept_ms}`. */
export async function sleep_ms(input: Input, ctx: Ctx): Promise<{ slept_ms: number }> {
  const ms = typeof input.ms === 'number' ? input.ms : 10;
  ctx.progress(`sleeping ${ms}ms`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('sleep aborted'));
      },
      { once: true },
    );
  });
  return { slept_ms: ms };
}

/** Keyword severity stub (`P0`..`P2`), used by the example priority flow. */
export function classify_severity(input: Input): { severity: string } {
  const text = String(input.issue ?? input.priority ?? '').toLowerCase();
  return {
    severity: /p0|critical|down/.test(text)
      ? 'critical'
      : /p1|high|slow/.test(text)
        ? 'high'
        : 'low',
  };
}
