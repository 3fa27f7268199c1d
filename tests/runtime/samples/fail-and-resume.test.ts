/**
 * Sample 04 end to end in a scratch copy of the example project: fail at the unregistered tool,
 * resume unchanged (fails again), add the tool module, resume (completes); editing the workflow
 * instead trips the integrity lock. Runs are recorded in a real SQLite file.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteRunStore, type RunResult } from '../../../runtime/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { ScenarioClient } from './scenario-client.js';

const client = new ScenarioClient();
afterAll(() => client.close());

const marks = (r: RunResult) =>
  r.steps.map((s) => `${s.stepId}:${s.status === 'COMPLETED' ? '✓' : '✗'}`);

function scratchProject(): { dir: string; workflow: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ak-04-'));
  cpSync(path.join(repoRoot, 'functions'), path.join(dir, 'functions'), { recursive: true });
  mkdirSync(path.join(dir, 'tools'));
  writeFileSync(path.join(dir, 'runtime.yaml'), 'schema_version: v1\n');
  const workflow = path.join(dir, 'workflows', '04_fail_and_resume.yaml');
  mkdirSync(path.dirname(workflow));
  cpSync(path.join(repoRoot, 'workflows', 'samples', '04_fail_and_resume.yaml'), workflow);
  return { dir, workflow };
}

async function readRun(db: string, runId: string) {
  const store = new SqliteRunStore(db);
  try {
    return await store.getRun(runId);
  } finally {
    await store.close();
  }
}

const addMissingTool = (dir: string) =>
  cpSync(
    path.join(repoRoot, 'tools', '_fixes', 'missing_adapter.ts'),
    path.join(dir, 'tools', 'missing_adapter.ts'),
  );

describe('sample 04: fail and resume', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('fails at the missing tool; resumed unchanged it fails again; with the tool added it completes', async () => {
    const { dir, workflow } = scratchProject();
    dirs.push(dir);
    const db = path.join(dir, 'runtime.db');
    const store = { kind: 'sqlite' as const, path: db };
    {
      const first = await client.result({ op: 'run', target: workflow, store });
      expect(first.status).toBe('FAILED');
      expect(marks(first)).toEqual(['generate_summary:✓', 'failing_external_call:✗']);
      expect(first.error).toMatchObject({
        name: 'ToolNotFoundError',
        code: 'AR-TOOL-NOT-FOUND',
        message: expect.stringContaining('Tool not found: tools.missing_adapter'),
      });

      const again = await client.result({ op: 'resume', runId: first.runId, store });
      expect(again.status).toBe('FAILED');
      expect(marks(again)).toEqual([
        'generate_summary:✓',
        'failing_external_call:✗',
        'failing_external_call:✗',
      ]);

      addMissingTool(dir);
      const fixed = await client.result({ op: 'resume', runId: first.runId, store });
      expect(fixed.status).toBe('COMPLETED');
      expect(marks(fixed)).toEqual([
        'generate_summary:✓',
        'failing_external_call:✗',
        'failing_external_call:✗',
        'failing_external_call:✓',
        'finalization:✓',
      ]);
      expect(fixed.outputs.finalization).toEqual({ message: 'done' });
      expect(await readRun(db, first.runId)).toMatchObject({ resumeCount: 2, status: 'COMPLETED' });
    }
  });

  it('resumed after adding the tool, records read ✓ ✗ ✓ ✓', async () => {
    const { dir, workflow } = scratchProject();
    dirs.push(dir);
    const db = path.join(dir, 'runtime.db');
    const store = { kind: 'sqlite' as const, path: db };
    {
      const first = await client.result({ op: 'run', target: workflow, store });
      addMissingTool(dir);
      const fixed = await client.result({ op: 'resume', runId: first.runId, store });
      expect(marks(fixed)).toEqual([
        'generate_summary:✓',
        'failing_external_call:✗',
        'failing_external_call:✓',
        'finalization:✓',
      ]);
    }
  });

  it('editing the workflow instead trips the integrity lock (AR-WORKFLOW-INTEGRITY)', async () => {
    const { dir, workflow } = scratchProject();
    dirs.push(dir);
    const db = path.join(dir, 'runtime.db');
    const store = { kind: 'sqlite' as const, path: db };
    {
      const first = await client.result({ op: 'run', target: workflow, store });
      writeFileSync(
        workflow,
        readFileSync(workflow, 'utf8').replace('tools.missing_adapter', 'tools.echo'),
      );
      const refused = await client.call({ op: 'resume', runId: first.runId, store });
      expect(refused.error?.code).toBe('AR-WORKFLOW-INTEGRITY');
      const forced = await client.result({ op: 'resume', runId: first.runId, store, force: true });
      expect(forced.status).toBe('FAILED'); // echo needs `message`; the forced resume is recorded either way
      expect((await readRun(db, first.runId))?.metadata.forcedResume).toHaveLength(1);
    }
  });
});
