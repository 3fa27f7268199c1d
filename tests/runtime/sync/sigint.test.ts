/**
 * Ctrl+C while a thread is blocked in a sync run. process.on('SIGINT') handlers cannot run then, so
 * the bridge arms vm's breakOnSigint watchdog while it waits: the run is cancelled (recorded
 * CANCELLED, hence resumable) and the call throws a CancelledError; when nobody listens for SIGINT
 * the process still dies of it, after the run was recorded. Real processes, real signals, the real
 * engine and a SQLite store the test reads afterwards.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteRunStore, resumeRunSync, type RunRecord } from '../../../runtime/index.js';
import { distDir } from '../../helpers/paths.js';
import { runChild, writeScript } from './helpers/child.js';
import { linearWorkflow, tempProject } from './helpers/project.js';

const index = pathToFileURL(path.join(distDir, 'runtime/index.js')).href;

/**
 * A project whose step s2, the first time, sends SIGINT to its own process (from the worker
 * thread, so the blocked caller is sitting in its guarded wait with nothing else to do) and then
 * waits until cancelled; once resumed it passes.
 */
function interruptibleProject() {
  const project = tempProject('ak-sync-sigint-');
  const marker = project.file('s2-started');
  project.write(
    'functions/wait.mjs',
    `import { existsSync, writeFileSync } from 'node:fs';
export function inc(input) { return { n: input.n + 1 }; }
export function untilCancelled(input, ctx) {
  if (existsSync(${JSON.stringify(marker)})) return { n: input.n + 1 };
  writeFileSync(${JSON.stringify(marker)}, '');
  process.kill(process.pid, 'SIGINT');
  return new Promise((resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
}
`,
  );
  const workflow = project.write(
    'wf.yaml',
    linearWorkflow('interruptible', ['wait.inc', 'wait.untilCancelled']),
  );
  return { project, workflow, db: project.file('runs.db') };
}

function childSource(workflow: string, db: string, withListener: boolean): string {
  return `
import { runWorkflowSync } from ${JSON.stringify(index)};
${withListener ? "process.on('SIGINT', () => console.log('listener ran'));" : ''}
try {
  // timeoutMs is only a safety net: were SIGINT ignored, the run would end 'timed out' instead.
  const result = runWorkflowSync(${JSON.stringify(workflow)}, { store: ${JSON.stringify(db)}, timeoutMs: 20000 });
  console.log('returned ' + result.status);
} catch (error) {
  console.log('threw ' + error.name + ' ' + error.code + ' ' + error.details.reason);
}
`;
}

async function onlyRun(db: string): Promise<RunRecord> {
  const store = new SqliteRunStore(db);
  try {
    const runs = await store.listRuns();
    expect(runs).toHaveLength(1);
    return runs[0]!;
  } finally {
    await store.close();
  }
}

test('with a SIGINT listener (CLI, kernel): the call throws CancelledError, the run is CANCELLED and resumable', async () => {
  const { workflow, db } = interruptibleProject();
  const outcome = await runChild(writeScript(childSource(workflow, db, true)));
  expect(outcome).toEqual({
    stdout: 'threw CancelledError AR-CANCELLED sigint\n',
    stderr: '',
    code: 0,
    signal: null,
  });
  const run = await onlyRun(db);
  expect(run.status).toBe('CANCELLED');
  const resumed = resumeRunSync(run.runId, { store: db });
  expect(resumed.status).toBe('COMPLETED');
  expect(resumed.outputs).toMatchObject({ s2: { n: 2 } });
});

test('without a SIGINT listener: the process still dies of SIGINT, after the run was recorded CANCELLED', async () => {
  const { workflow, db } = interruptibleProject();
  const outcome = await runChild(writeScript(childSource(workflow, db, false)));
  // The call threw first (the script printed that), then the re-raised signal ended the process.
  expect(outcome).toEqual({
    stdout: 'threw CancelledError AR-CANCELLED sigint\n',
    stderr: '',
    code: null,
    signal: 'SIGINT',
  });
  expect((await onlyRun(db)).status).toBe('CANCELLED');
});
