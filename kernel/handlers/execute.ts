/**
 * execute_request, with the spec's semantics (messaging spec "Execute"; ipykernel's
 * `execute_request`): the execution count (incremented when store_history), execute_input, the
 * cell run inside its own OutputSink, execute_result or an `error` output, user_expressions, the
 * reply, and history. The cell engine returns an outcome object and never touches a socket; the
 * server decides about aborting queued requests from the status this returns.
 */
import type { CellEngine, ExecuteOutcome } from '../cells/types.js';
import type { JsonDict, UserExpressionResult } from '../protocol/messages.js';
import { ExecuteSink } from '../output/execute-sink.js';
import { tryRunMagic } from '../magics/index.js';
import { outputContext, type OutputSink } from '../output/sink.js';
import type { KernelServices, RequestContext } from './context.js';

/** The reason passed to AbortController.abort() on interrupt; engines may show its message. */
export class KernelInterruptError extends Error {
  override name = 'KernelInterrupt';
  constructor() {
    super('Execution interrupted');
  }
}

function errorOutcome(e: unknown): Extract<ExecuteOutcome, { status: 'error' }> {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    status: 'error',
    ename: err.name,
    evalue: err.message,
    traceback: (err.stack ?? `${err.name}: ${err.message}`).split('\n'),
  };
}

/** Per-kernel execution state: the counter, the running cell's AbortController, the last sink. */
export class ExecutionState {
  executionCount = 0;
  current: AbortController | undefined;
  /** The sink of the running cell or, once it finished, of the last one: for stray errors. */
  lastSink: OutputSink | undefined;
  /**
   * When the last error reply was queued (ms since epoch). stop_on_error aborts requests sent
   * before this moment; taken before the reply leaves, so a request sent in answer to it is later.
   */
  lastErrorReplyAt = 0;

  interrupt(): void {
    this.current?.abort(new KernelInterruptError());
  }
}

async function evaluateUserExpressions(
  engine: CellEngine,
  expressions: Record<string, string>,
): Promise<Record<string, UserExpressionResult>> {
  const out: Record<string, UserExpressionResult> = {};
  for (const [name, expression] of Object.entries(expressions)) {
    let outcome: ExecuteOutcome;
    try {
      outcome = await engine.evaluateExpression(expression);
    } catch (e) {
      outcome = errorOutcome(e);
    }
    out[name] =
      outcome.status === 'ok'
        ? {
            status: 'ok',
            data: outcome.result?.data ?? { 'text/plain': 'undefined' },
            metadata: outcome.result?.metadata ?? {},
          }
        : {
            status: 'error',
            ename: outcome.ename,
            evalue: outcome.evalue,
            traceback: outcome.traceback,
          };
  }
  return out;
}

/**
 * `expr?` (IPython's help syntax, which frontends and jupyter_kernel_test know as the pager
 * payload) shows the inspector's text for `expr` in the pager instead of running code.
 */
const PAGER_REQUEST = /^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\?\s*$/;

async function pagerPayload(engine: CellEngine, code: string): Promise<JsonDict[] | undefined> {
  const expression = PAGER_REQUEST.exec(code)?.[1];
  if (expression === undefined) return undefined;
  const r = await engine.inspect(expression, expression.length, 1);
  const data = r.found ? r.data : { 'text/plain': `No information found for ${expression}` };
  return [{ source: 'page', data, start: 0 }];
}

export async function handleExecute(
  ctx: RequestContext<'execute_request'>,
  kernel: KernelServices,
  state: ExecutionState,
): Promise<'ok' | 'error'> {
  const { code, silent, store_history, user_expressions, allow_stdin } = ctx.msg.content;
  if (store_history) state.executionCount += 1;
  const count = state.executionCount;
  if (!silent) ctx.publish('execute_input', { code, execution_count: count });
  if (store_history) kernel.history.store(count, code, null);

  const requestInput = allow_stdin
    ? (prompt: string, password: boolean) => kernel.requestInput(ctx.msg, prompt, password)
    : undefined;
  const controller = new AbortController();
  const sink = new ExecuteSink((type, content) => ctx.publish(type, content), {
    silent,
    signal: controller.signal,
    ...(requestInput ? { requestInput } : {}),
  });
  state.current = controller;
  state.lastSink = sink;

  let engine: CellEngine | undefined;
  let outcome: ExecuteOutcome;
  try {
    engine = await kernel.engine();
    const payload = await pagerPayload(engine, code);
    if (payload) {
      ctx.reply('execute_reply', {
        status: 'ok',
        execution_count: count,
        payload,
        user_expressions: {},
      });
      return 'ok';
    }
    const loaded = engine;
    // %magics (kernel/magics) run first, on this loop and with this cell's signal; null = TypeScript.
    const magic = await outputContext.run(sink, () =>
      tryRunMagic(code, { signal: controller.signal, sink }),
    );
    if (magic?.declares) loaded.declareVariables?.(magic.declares);
    outcome =
      magic ??
      (await outputContext.run(sink, () =>
        // allow_stdin=false (nbconvert, nbclient) marks a batch client, which stops listening at
        // idle: the engine then keeps late reports (type warnings) inside the cell.
        loaded.execute(code, { signal: controller.signal, silent, interactive: allow_stdin }),
      ));
    // Node reports a promise the cell left rejected once the microtask queue drains; one macrotask
    // turn lets that report reach this cell's stderr before its reply and idle.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } catch (e) {
    // The engine failed to load, or broke its contract by throwing: still a proper error reply.
    outcome = errorOutcome(e);
  } finally {
    if (state.current === controller) state.current = undefined;
  }
  sink.flush();

  if (outcome.status === 'error') {
    const { ename, evalue, traceback } = outcome;
    if (!silent) ctx.publish('error', { ename, evalue, traceback });
    state.lastErrorReplyAt = Date.now();
    ctx.reply('execute_reply', {
      status: 'error',
      execution_count: count,
      ename,
      evalue,
      traceback,
    });
    return 'error';
  }
  if (outcome.result && !silent) {
    ctx.publish('execute_result', {
      execution_count: count,
      data: outcome.result.data,
      metadata: outcome.result.metadata,
    });
  }
  const plain = outcome.result?.data['text/plain'];
  if (store_history && typeof plain === 'string') kernel.history.setOutput(count, plain);
  const expressions = engine ? await evaluateUserExpressions(engine, user_expressions) : {};
  sink.flush();
  ctx.reply('execute_reply', {
    status: 'ok',
    execution_count: count,
    payload: [],
    user_expressions: expressions,
  });
  return 'ok';
}
