import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createCellEngine } from '../../../kernel/cells/engine.js';
import type { TypeScriptCellEngine } from '../../../kernel/cells/engine.js';
import { outputContext } from '../../../kernel/output/sink.js';
import { distDir } from '../../helpers/paths.js';
import { RecordingSink } from './recording-sink.js';

let dir: string;
let engine: TypeScriptCellEngine;
const signal = new AbortController().signal;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ak-ls-'));
  engine = createCellEngine({ cwd: dir, typeCheck: 'wait' });
});

afterAll(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('type errors: the cell still runs, and a warning with cell line:col lands on its stderr', async () => {
  const sink = new RecordingSink();
  const outcome = await outputContext.run(sink, () =>
    engine.execute('const n: number = 1;\nconst s: string = n;\ns', { signal, silent: false }),
  );
  expect(outcome).toMatchObject({ status: 'ok', result: { data: { 'text/plain': '1' } } });
  expect(sink.text('stderr')).toMatch(
    /warning TS2322 at <cell-\d+>:2:7: Type 'number' is not assignable to type 'string'/,
  );
  const clean = new RecordingSink();
  await outputContext.run(clean, () =>
    engine.execute('const s = "redeclared is fine";\nconsole.log(s.length)', {
      signal,
      silent: false,
    }),
  );
  expect(clean.text('stderr')).toBe('');
});

test('completion: members after "." and an earlier cell\'s variable', async () => {
  await outputContext.run(new RecordingSink(), () =>
    engine.execute(
      '/** The answer to everything. */\nconst answerValue = { count: 42, label: "x" };',
      { signal, silent: false },
    ),
  );
  const members = await engine.complete('answerValue.co', 14);
  expect(members.matches).toContain('count');
  expect(members.matches).not.toContain('label');
  expect([members.cursorStart, members.cursorEnd]).toEqual([12, 14]);
  const names = await engine.complete('const z = answ', 14);
  expect(names.matches).toContain('answerValue');
  expect(names.cursorStart).toBe(10);
});

test('inspect: signature and doc comment; unknown names are not found', async () => {
  const info = await engine.inspect('answerValue', 11, 0);
  expect(info.found).toBe(true);
  expect(String(info.data['text/plain'])).toMatch(/answerValue: \{\s*count: number;/);
  expect(String(info.data['text/plain'])).toContain('The answer to everything.');
  expect((await engine.inspect('noSuchThing', 5, 0)).found).toBe(false);
});

test('cursor positions are Unicode code points, as Jupyter sends them (emoji before the cursor)', async () => {
  // 12 astral characters: 12 UTF-16 units more than code points. Read as UTF-16 offsets, these
  // cursors would land inside the string literal.
  const prefix = '"' + '🎉'.repeat(12) + '"; ';
  const code = `${prefix}answerValue.co`;
  const cursor = [...code].length;
  const members = await engine.complete(code, cursor);
  expect(members.matches).toContain('count');
  expect([members.cursorStart, members.cursorEnd]).toEqual([cursor - 2, cursor]);
  expect((members.metadata['_jupyter_types_experimental'] as { start: number }[])[0]?.start).toBe(
    cursor - 2,
  );
  const inspected = `${prefix}answerValue`;
  const info = await engine.inspect(inspected, [...inspected].length, 0);
  expect(info.found).toBe(true);
  expect(String(info.data['text/plain'])).toContain('answerValue');
});

test('background mode: a non-interactive request (allow_stdin false) gets its warnings before it returns', async () => {
  const background = createCellEngine({ cwd: dir, typeCheck: 'background' });
  try {
    const sink = new RecordingSink();
    const outcome = await outputContext.run(sink, () =>
      background.execute('const wrong: number = "text";\nwrong', {
        signal,
        silent: false,
        interactive: false,
      }),
    );
    expect(outcome.status).toBe('ok');
    expect(sink.text('stderr')).toMatch(/warning TS2322 at <cell-\d+>:1:7/);
  } finally {
    await background.dispose();
  }
});

test('cells executed faster than they are checked each get their own warnings (checked in batches)', async () => {
  const fast = createCellEngine({ cwd: dir, typeCheck: 'background' });
  try {
    // Six cells back to back: the checks queue up behind the first one (which loads the
    // compiler), so the worker takes the rest as one batch against one program.
    const cells = [
      'const b1: number = 1;',
      'const b2: string = b1;',
      'const b3 = b1 + 1;',
      'const b4: boolean = b3;',
      'function b5(x: number) { return x; }',
      'b5("no");',
    ];
    const sinks = cells.map(() => new RecordingSink());
    for (const [i, code] of cells.entries())
      await outputContext.run(sinks[i]!, () => fast.execute(code, { signal, silent: false }));
    await fast.typeChecksSettled();
    const warnings = sinks.map((s) => s.text('stderr'));
    expect(warnings[0]).toBe('');
    expect(warnings[1]).toMatch(
      /TS2322 at <cell-\d+>:1:7: Type 'number' is not assignable to type 'string'/,
    );
    expect(warnings[2]).toBe('');
    expect(warnings[3]).toMatch(
      /TS2322 at <cell-\d+>:1:7: Type 'number' is not assignable to type 'boolean'/,
    );
    expect(warnings[4]).toBe('');
    expect(warnings[5]).toMatch(/TS2345 at <cell-\d+>:1:4: Argument of type 'string'/);
  } finally {
    await fast.dispose();
  }
});

test('a variable a magic defined (-o name) is known to the checker in later cells, with its type', async () => {
  (globalThis as Record<string, unknown>)['fromMagic'] = { outputs: { n: 1 } };
  try {
    engine.declareVariables?.([{ name: 'fromMagic', type: '{ outputs: { n: number } }' }]);
    const uses = new RecordingSink();
    await outputContext.run(uses, () =>
      engine.execute('const total: number = fromMagic.outputs.n;\nfromMagic.outputs.missing', {
        signal,
        silent: false,
      }),
    );
    const warnings = uses.text('stderr');
    expect(warnings).not.toMatch(/TS2304/);
    expect(warnings).toMatch(/TS2339 at <cell-\d+>:2:19: Property 'missing' does not exist/);
  } finally {
    delete (globalThis as Record<string, unknown>)['fromMagic'];
  }
});

test('a background check waiting for its batch is sent before a completion, which sees the cell', async () => {
  const bg = createCellEngine({ cwd: dir, typeCheck: 'background' });
  try {
    await outputContext.run(new RecordingSink(), () =>
      bg.execute('const deferredValue = 41;', { signal, silent: false }),
    );
    // Asked at once, within the deferral window: the deferred cell must reach the checker first.
    const code = 'deferredValue.toFix';
    const completion = await bg.complete(code, code.length);
    expect(completion.matches).toContain('toFixed');
  } finally {
    await bg.dispose();
  }
});

test('a checker that runs out of memory restarts with more heap and replays earlier cells', async () => {
  // 64 MB is below the checker's live set (compiler + lib + @types/node), so the first check fails.
  process.env['AGENTKERNEL_CHECKER_HEAP_MB'] = '64';
  const small = createCellEngine({ cwd: dir, typeCheck: 'wait' });
  delete process.env['AGENTKERNEL_CHECKER_HEAP_MB'];
  try {
    const first = new RecordingSink();
    await outputContext.run(first, () =>
      small.execute('const early = 1;', { signal, silent: false }),
    );
    expect(first.text('stderr')).toMatch(
      /ran out of memory \(64 MB heap\); restarting with 128 MB/,
    );
    const second = new RecordingSink();
    await outputContext.run(second, () =>
      small.execute('const late: string = early;', { signal, silent: false }),
    );
    expect(second.text('stderr')).toMatch(
      /warning TS2322 at <cell-\d+>:1:7: Type 'number' is not assignable to type 'string'/,
    );
  } finally {
    await small.dispose();
  }
});

test('is_complete', () => {
  expect(engine.isComplete('const a = 1')).toEqual({ status: 'complete' });
  expect(engine.isComplete('function f() {')).toEqual({ status: 'incomplete', indent: '  ' });
  expect(engine.isComplete('foo(1,')).toMatchObject({ status: 'incomplete' });
  expect(engine.isComplete('`template ${x')).toMatchObject({ status: 'incomplete' });
  expect(engine.isComplete('const s = `multi\nline')).toMatchObject({ status: 'incomplete' });
  expect(engine.isComplete('const x =')).toMatchObject({ status: 'incomplete' });
  expect(engine.isComplete('a)')).toEqual({ status: 'invalid' });
  expect(engine.isComplete('let let let = 1')).toEqual({ status: 'invalid' });
  expect(engine.isComplete('const r = /[(]/; r')).toEqual({ status: 'complete' });
});

test('SIGINT stops a synchronous busy loop and the engine keeps its state (child process)', async () => {
  const engineUrl = pathToFileURL(path.join(distDir, 'kernel/cells/engine.js')).href;
  const sinkUrl = pathToFileURL(path.join(distDir, 'kernel/output/sink.js')).href;
  const script = `
    import { createCellEngine } from ${JSON.stringify(engineUrl)};
    import { outputContext } from ${JSON.stringify(sinkUrl)};
    const engine = createCellEngine({ cwd: process.cwd(), typeCheck: 'off' });
    const sink = { stream() {}, display() {}, clearOutput() {}, input: async () => '' };
    const run = (code) => outputContext.run(sink, () => engine.execute(code, { signal: new AbortController().signal, silent: false }));
    await run('let kept = 7');
    await run('1');
    process.stdout.write('READY\\n');
    const stopped = await run('while (true) {}');
    const after = await run('kept * 6');
    process.stdout.write(JSON.stringify({ stopped, after }) + '\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    // The loop starts right after READY; give it a moment to be inside the script, then interrupt.
    if (chunk.includes('READY')) setTimeout(() => child.kill('SIGINT'), 200);
  });
  expect(await done).toBe(0);
  const result = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as {
    stopped: { ename?: string };
    after: { result?: { data: Record<string, unknown> } };
  };
  expect(result.stopped.ename).toBe('Interrupted');
  expect(result.after.result?.data['text/plain']).toBe('42');
});
