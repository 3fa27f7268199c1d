import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCellEngine } from '../../../kernel/cells/engine.js';
import type { TypeScriptCellEngine } from '../../../kernel/cells/engine.js';
import type { ExecuteOutcome } from '../../../kernel/cells/types.js';
import { formatValue } from '../../../kernel/display/format.js';
import { outputContext } from '../../../kernel/output/sink.js';
import { RecordingSink } from '../cells/recording-sink.js';

let dir: string;
let engine: TypeScriptCellEngine;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ak-display-'));
  engine = createCellEngine({ cwd: dir, typeCheck: 'off' });
});
afterAll(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function run(code: string, sink: RecordingSink): Promise<ExecuteOutcome> {
  return outputContext.run(sink, () =>
    engine.execute(code, { signal: new AbortController().signal, silent: false }),
  );
}

test('tslab display API: html, markdown, png from bytes', async () => {
  const sink = new RecordingSink();
  const outcome = await run(
    'import * as tslab from "tslab";\ntslab.display.html("<b>hi</b>");\ntslab.display.markdown("# T");\ntslab.display.png(new Uint8Array([137, 80, 78, 71]));',
    sink,
  );
  expect(outcome).toEqual({ status: 'ok' });
  expect(sink.displays().map((d) => d.data)).toEqual([
    { 'text/html': '<b>hi</b>' },
    { 'text/markdown': '# T' },
    { 'image/png': Buffer.from([137, 80, 78, 71]).toString('base64') },
  ]);
});

test('newDisplay creates one display and then updates it in place', async () => {
  const sink = new RecordingSink();
  await run(
    'import { newDisplay } from "tslab";\nconst d = newDisplay();\nd.text("1");\nd.text("2");',
    sink,
  );
  const [first, second] = sink.displays();
  expect(first?.options?.update).toBe(false);
  expect(second?.options?.update).toBe(true);
  expect(first?.options?.displayId).toBeDefined();
  expect(second?.options?.displayId).toBe(first?.options?.displayId);
  expect(second?.data).toEqual({ 'text/plain': '2' });
});

test('global display(value), clear_output, and Symbol.for("Jupyter.display")', async () => {
  const sink = new RecordingSink();
  const outcome = await run(
    'display([1, 2]);\nclear_output(true);\n({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>rich</i>" }; } })',
    sink,
  );
  expect(sink.events[0]).toMatchObject({ kind: 'display', data: { 'text/plain': '[ 1, 2 ]' } });
  expect(sink.events[1]).toEqual({ kind: 'clear', wait: true });
  expect(outcome).toMatchObject({ status: 'ok', result: { data: { 'text/html': '<i>rich</i>' } } });
});

test('format: text/plain without ANSI colours, undefined has no result', () => {
  expect(formatValue(undefined)).toBeUndefined();
  const text = String(formatValue({ s: 'x', n: 1 })?.data['text/plain']);
  expect(text).toBe("{ s: 'x', n: 1 }");
  expect(text).not.toContain('\u001b[');
});
