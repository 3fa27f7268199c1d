/**
 * The bridge's cost over time: one warm worker reused across calls (no growth in threads, handles or
 * memory), and a process that used the sync API still exits on its own.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runWorkflowSync } from '../../../runtime/index.js';
import { distDir } from '../../helpers/paths.js';
import { runChild, runChildArgs, writeScript } from './helpers/child.js';
import { linearWorkflow, tempProject } from './helpers/project.js';

const project = tempProject();
project.write('functions/steps.mjs', 'export function inc(input) { return { n: input.n + 1 }; }\n');
const wf = project.write('workflows/two.yaml', linearWorkflow('two', ['steps.inc', 'steps.inc']));

/** OS threads of this process (Linux): worker threads, libuv pool, V8 platform threads. */
function threadCount(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
}

test('200 sequential calls: same worker, no growth in threads, handles or memory beyond a bound', () => {
  const run = () =>
    runWorkflowSync(wf, { inputs: { n: 1 }, functions: { 'local.unused': () => ({}) } });
  for (let i = 0; i < 20; i++) expect(run().status).toBe('COMPLETED'); // warm up: worker, module caches
  const threads = threadCount();
  const handles = process.getActiveResourcesInfo().length;
  const rss = process.memoryUsage().rss;
  for (let i = 0; i < 200; i++) {
    const result = run();
    if (result.status !== 'COMPLETED') throw new Error(`call ${i} ended ${result.status}`);
  }
  expect(threadCount()).toBe(threads);
  expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(handles);
  // Generous: the bound catches a per-call leak of a worker (~12 MB each) or of whole results.
  expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
});

test('a process that used the sync API exits on its own when its work is done', async () => {
  const index = pathToFileURL(path.join(distDir, 'runtime/index.js')).href;
  const script = writeScript(`
import { runWorkflowSync } from ${JSON.stringify(index)};
const result = runWorkflowSync(${JSON.stringify(wf)}, { inputs: { n: 41 } });
console.log('result ' + result.status + ' ' + result.outputs.s2.n);
// No close(), no process.exit(): the warm worker must not keep the process alive.
`);
  const outcome = await runChild(script, { killAfterMs: 30_000 });
  // signal null: it ended by itself, not by the safety net's SIGKILL.
  expect(outcome).toEqual({ stdout: 'result COMPLETED 43\n', stderr: '', code: 0, signal: null });
});

test('the sync API works from `node --input-type=module -e` (whose options a worker must not inherit)', async () => {
  const index = pathToFileURL(path.join(distDir, 'runtime/index.js')).href;
  const code = `const { runWorkflowSync } = await import(${JSON.stringify(index)});
const result = runWorkflowSync(${JSON.stringify(wf)}, { inputs: { n: 1 } });
console.log('result ' + result.status);`;
  const outcome = await runChildArgs(['--input-type=module', '-e', code], { killAfterMs: 30_000 });
  expect(outcome).toEqual({ stdout: 'result COMPLETED\n', stderr: '', code: 0, signal: null });
});
