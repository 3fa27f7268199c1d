/**
 * What the protocol layer tells the cell engine and answers itself: `allow_stdin` reaches the
 * engine as `interactive` (so a batch client gets type warnings before idle), and is_complete of a
 * `%%workflow` cell stays `incomplete` until its body is ended (jupyter console), while TypeScript
 * is still answered by the engine.
 */
import type { ExecuteOptions, ExecuteOutcome } from '../../../kernel/cells/types.js';
import { Harness } from '../server/harness.js';

function recordOptions(h: Harness): ExecuteOptions[] {
  const seen: ExecuteOptions[] = [];
  const execute = h.engine.execute.bind(h.engine);
  h.engine.execute = (code: string, options: ExecuteOptions): Promise<ExecuteOutcome> => {
    seen.push(options);
    return execute(code, options);
  };
  return seen;
}

const execute = (allow_stdin: boolean) => ({
  code: 'value 1',
  silent: false,
  store_history: true,
  user_expressions: {},
  allow_stdin,
  stop_on_error: true,
});

test('allow_stdin is passed to the engine as interactive', async () => {
  const h = new Harness();
  const seen = recordOptions(h);
  const batch = h.request('shell', 'execute_request', execute(false));
  await h.until(() => h.reply(batch) !== undefined);
  const live = h.request('shell', 'execute_request', execute(true));
  await h.until(() => h.reply(live) !== undefined);
  expect(seen.map((o) => o.interactive)).toEqual([false, true]);
});

test.each([
  ['%%workflow --name x', 'incomplete'],
  ['%%workflow\nsteps:\n  - {id: a, type: tool, tool: tools.echo}', 'incomplete'],
  ['%%workflow\nsteps: []\n\n', 'complete'],
  ['%runs -n 3', 'complete'],
  ['function f() {', 'incomplete'], // TypeScript: the engine's answer
  ['1 + 1', 'complete'],
])('is_complete %j → %s', async (code, status) => {
  const h = new Harness();
  const id = h.request('shell', 'is_complete_request', { code });
  await h.until(() => h.reply(id) !== undefined);
  expect(h.reply(id)!.content['status']).toBe(status);
});
