/**
 * The run functions as ready cell globals, with the real engine: they exist without an import,
 * are the same live-progress wrappers as `import { runWorkflow } from "agentkernel"`, and the
 * type checker knows them and the kernel's `display` option (no warnings), while it still warns
 * about real mistakes.
 */
import path from 'node:path';
import { createCellEngine, type TypeScriptCellEngine } from '../../../kernel/cells/engine.js';
import { outputContext } from '../../../kernel/output/sink.js';
import { repoRoot } from '../../helpers/paths.js';
import { RecordingSink } from './recording-sink.js';

let engine: TypeScriptCellEngine;
beforeAll(() => {
  // The notebooks' directory: "agentkernel" resolves there for the checker (package self-reference).
  engine = createCellEngine({ cwd: path.join(repoRoot, 'notebooks'), typeCheck: 'wait' });
});
afterAll(() => engine.dispose());

async function run(code: string): Promise<{ sink: RecordingSink; value: unknown }> {
  const sink = new RecordingSink();
  const outcome = await outputContext.run(sink, () =>
    engine.execute(code, {
      signal: new AbortController().signal,
      silent: false,
      interactive: false,
    }),
  );
  if (outcome.status !== 'ok') throw new Error(`${outcome.ename}: ${outcome.evalue}`);
  return { sink, value: outcome.result?.data['text/plain'] };
}

test('runWorkflow and friends are globals, the same functions "agentkernel" exports', async () => {
  const { value } = await run(
    `import * as ak from "agentkernel";
[typeof runWorkflow, typeof runWorkflowSync, typeof resumeRun, typeof resumeRunSync, ak.runWorkflow.length > 0].join(",")`,
  );
  expect(value).toBe("'function,function,function,function,true'");
}, 60_000);

test('the checker knows the globals and the display option; it still reports real errors', async () => {
  const clean = await run(
    `import { runWorkflow as imported, runWorkflowSync as importedSync } from "agentkernel";
const later = async () => {
  const a = await runWorkflow("wf.yaml", { display: false, inputs: { x: 1 } });
  const b = await imported("wf.yaml", { display: true });
  const c = runWorkflowSync("wf.yaml", { display: false });
  const d = importedSync("wf.yaml", { display: false });
  return [a.status, b.status, c.status, d.status];
};
typeof later`,
  );
  expect(clean.sink.text('stderr')).toBe('');
  const broken = await run(`const later2 = () => runWorkflow("wf.yaml", { dispaly: false }); 1`);
  expect(broken.sink.text('stderr')).toMatch(/warning TS\d+ .*'dispaly'/);
}, 60_000);
