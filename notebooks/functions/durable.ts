/**
 * Functions of durable-runs.ipynb (referenced from YAML as `durable.<export>`). Deterministic and
 * offline: the "flaky service" fails by attempt number, not by chance.
 */
type Input = Record<string, unknown>;
interface Ctx {
  attempt: number;
  progress(message: string): void;
}

/**
 * `{body, attempts}`: a service that fails its first `fail_times` attempts with a retryable
 * error, so the step's `retry:` policy is what gets it through.
 */
export function flaky_fetch(input: Input, ctx: Ctx): { body: string; attempts: number } {
  const failTimes = typeof input.fail_times === 'number' ? input.fail_times : 1;
  if (ctx.attempt <= failTimes) {
    ctx.progress(`attempt ${ctx.attempt}: service unavailable`);
    throw new Error(`service unavailable (attempt ${ctx.attempt} of the first ${failTimes} fail)`);
  }
  ctx.progress(`attempt ${ctx.attempt}: ok`);
  return { body: `status page for ${String(input.service ?? 'checkout')}`, attempts: ctx.attempt };
}
