import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CliIO } from '../../../runtime/cli/command.js';
import { resolveDbPath, storeCommands } from '../../../runtime/cli/store-commands.js';
import { SqliteRunStore } from '../../../runtime/store/sqlite-store.js';
import {
  resumeFailedLinearRun,
  writeBranchingRun,
  writeCompletedLinearRun,
  writeFailedLinearRun,
} from '../../helpers/run-records.js';

const project = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-cli-'));
const db = path.join(project, 'runtime.db');

beforeAll(async () => {
  writeFileSync(path.join(project, 'runtime.yaml'), 'schema_version: v1\ndb_path: runtime.db\n');
  const store = new SqliteRunStore(db);
  await writeCompletedLinearRun(store, 'run-ok', 0);
  await writeFailedLinearRun(store, 'run-failed', 1000);
  await writeFailedLinearRun(store, 'run-resumed', 2000);
  await resumeFailedLinearRun(store, 'run-resumed', 3000);
  await writeBranchingRun(store, 'run-branch', 4000);
  await store.close();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function cli(
  args: string[],
  options: { cwd?: string; stdin?: NodeJS.ReadableStream; onOut?: (s: string) => void } = {},
): Promise<Outcome> {
  const [name, ...rest] = args;
  const command = storeCommands.find((c) => c.name === name);
  if (!command) throw new Error(`no command ${name}`);
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => {
      out += t;
      options.onOut?.(out);
    },
    stderr: (t) => (err += t),
    cwd: options.cwd ?? project,
    env: {},
    ...(options.stdin ? { stdin: options.stdin } : {}),
  };
  const code = await command.run(rest, io);
  return { code, out, err };
}

describe('store commands', () => {
  it('exports the five commands with usage text', () => {
    expect(storeCommands.map((c) => c.name)).toEqual([
      'runs',
      'inspect',
      'replay',
      'state-diff',
      'visualize',
    ]);
    for (const c of storeCommands) expect(c.usage).toContain(`agentkernel ${c.name}`);
  });

  it('finds runtime.db in the project holding the cwd', () => {
    const sub = path.join(project, 'notebooks', 'deep');
    expect(resolveDbPath({ cwd: sub }, undefined)).toBe(db);
    expect(resolveDbPath({ cwd: sub }, 'other.db')).toBe(path.join(sub, 'other.db'));
    expect(resolveDbPath({ cwd: sub }, ':memory:')).toBe(':memory:');
  });

  it("follows runtime.yaml's db_path", () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-cli-cfg-'));
    try {
      writeFileSync(
        path.join(other, 'runtime.yaml'),
        'schema_version: v1\ndb_path: data/runs.db\n',
      );
      expect(resolveDbPath({ cwd: path.join(other, 'x'), env: {} }, undefined)).toBe(
        path.join(other, 'data', 'runs.db'),
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  describe('runs', () => {
    it('lists runs newest first with status icons, from a subdirectory of the project', async () => {
      const r = await cli(['runs'], { cwd: path.join(project, 'anywhere') });
      expect(r.code).toBe(0);
      const ids = r.out
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[1]);
      expect(ids).toEqual(['run-branch', 'run-resumed', 'run-failed', 'run-ok']);
      expect(r.out).toContain('✗ run-failed  linear@v1  FAILED  2026-01-01T00:00:01.000Z');
      expect(r.out).toContain(
        '✓ run-resumed  linear@v1  COMPLETED  2026-01-01T00:00:02.000Z resumed=1',
      );
    });

    it('filters by workflow, status and limit', async () => {
      expect((await cli(['runs', '--workflow', 'triage'])).out).toMatch(/^✓ run-branch .*\n$/);
      expect((await cli(['runs', '--status', 'FAILED'])).out).toMatch(/^✗ run-failed .*\n$/);
      expect((await cli(['runs', '--limit', '2'])).out.trim().split('\n')).toHaveLength(2);
      expect((await cli(['runs', '--status', 'CANCELLED'])).out).toBe('No runs found.\n');
    });

    it('rejects bad arguments with usage and exit code 2', async () => {
      const r = await cli(['runs', '--status', 'DONE']);
      expect(r.code).toBe(2);
      expect(r.err).toContain("unknown status 'DONE'");
      expect(r.err).toContain('Usage: agentkernel runs');
      expect((await cli(['runs', '--bogus'])).code).toBe(2);
    });

    it('reports a missing database instead of creating one', async () => {
      const missing = path.join(project, 'nope.db');
      const r = await cli(['runs', '--db', missing]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`AR-STORAGE No run store at ${missing}`);
      expect(existsSync(missing)).toBe(false);
    });
  });

  describe('inspect', () => {
    it('prints the header, steps, error and the resume point of a failed run', async () => {
      const r = await cli(['inspect', 'run-failed']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Run run-failed \| workflow=linear@v1 \| status=FAILED\n/);
      expect(r.out).toContain('Error: AR-STEP-EXECUTION summarizer crashed: missing key');
      expect(r.out).toContain(
        '  [0] fetch (function) COMPLETED attempts=1 12ms\n      output: {"text":"raw notes about durable runs"}',
      );
      expect(r.out).toContain(
        '  [1] summarize (function) FAILED attempts=2 8ms\n      error: AR-STEP-EXECUTION summarizer crashed: missing key',
      );
      expect(r.out).toContain('Resume point: step summarize');
    });

    it('has no resume point for a completed run; `latest` is the newest run', async () => {
      const r = await cli(['inspect', 'latest']);
      expect(r.out).toMatch(/^Run run-branch /);
      expect(r.out).not.toContain('Resume point');
    });

    it('--steps adds inputs and stacks; --state-history adds the state chain', async () => {
      const r = await cli(['inspect', 'run-resumed', '--steps', '--state-history']);
      expect(r.out).toContain('Resumed: 1 time');
      expect(r.out).toContain('      input: {"text":"raw notes about durable runs"}');
      expect(r.out).toContain('        at step (functions/sample.ts:1:1)');
      expect(r.out).toContain('State history:\n  v0 initial state');
      expect(r.out).toContain('  v2 after [2] summarize');
    });

    it('fails with AR-RUN-NOT-FOUND for an unknown run', async () => {
      const r = await cli(['inspect', 'ghost']);
      expect(r.code).toBe(1);
      expect(r.err).toBe('Error: AR-RUN-NOT-FOUND Run not found: ghost\n');
    });
  });

  describe('replay', () => {
    it('replays a failed-then-resumed run and verifies its state', async () => {
      const r = await cli(['replay', 'run-resumed', '--verify-state']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('[1] summarize (function) status=FAILED attempts=2 (replayed)');
      expect(r.out).toContain('[3] publish (tool) status=COMPLETED attempts=1 (replayed)');
      expect(r.out).toContain(
        'Replayed 4 step executions of run run-resumed; state chain verified; run status COMPLETED',
      );
    });

    it('--until stops after that step', async () => {
      const r = await cli(['replay', 'run-ok', '--until', 'summarize']);
      expect(r.out).toContain('[1] summarize');
      expect(r.out).not.toContain('publish');
      expect(r.out).toContain('Replayed 2 step executions of run run-ok (until summarize)');
    });

    it('--step-by-step waits for Enter between steps', async () => {
      const stdin = new PassThrough();
      let printed = '';
      const done = cli(['replay', 'run-ok', '--step-by-step'], {
        stdin,
        onOut: (s) => (printed = s),
      });
      const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
      await settle();
      expect(printed).toContain('[0] fetch');
      expect(printed).not.toContain('[1] summarize');
      stdin.write('\n');
      await settle();
      expect(printed).toContain('[1] summarize');
      expect(printed).not.toContain('[2] publish');
      stdin.write('\n\n');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.out).toContain('Replayed 3 step executions');
    });
  });

  describe('state-diff', () => {
    it('prints the change the last execution of a step made', async () => {
      const r = await cli(['state-diff', 'run-resumed', 'summarize']);
      expect(r.code).toBe(0);
      expect(r.out).toBe(
        'State diff of run run-resumed at [2] summarize (COMPLETED)\n+ steps.summarize = {"summary":"runs survive crashes"}\n',
      );
      const failedStep = await cli(['state-diff', 'run-failed', 'summarize']);
      expect(failedStep.out).toContain('(no state change)');
      expect((await cli(['state-diff', 'run-ok'])).code).toBe(2);
      expect((await cli(['state-diff', 'run-ok', 'nope'])).err).toContain('AR-REPLAY-DATA-MISSING');
    });
  });

  describe('visualize', () => {
    it('--ascii (the default) and --timeline print to stdout', async () => {
      const ascii = await cli(['visualize', 'run-branch', '--ascii']);
      expect(ascii.out).toContain('Execution Graph');
      expect(ascii.out).toContain('escalate SKIPPED');
      expect(ascii.out).toContain("when='default' goto=respond (selected)");
      expect((await cli(['visualize', 'run-branch'])).out).toBe(ascii.out);
      const timeline = await cli(['visualize', 'latest', '--timeline']);
      expect(timeline.out).toMatch(/^State timeline of run run-branch/);
    });

    it('--html writes one self-contained file', async () => {
      const out = path.join(project, 'out', 'viz.html');
      const r = await cli(['visualize', 'run-branch', '--html', 'out/viz.html']);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`Wrote ${out}\n`);
      const html = readFileSync(out, 'utf8');
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/https?:\/\/|<script/);
      const byDefault = await cli(['visualize', 'run-ok', '--html']);
      expect(byDefault.out).toBe(
        `Wrote ${path.join(project, '.runs', 'run-ok', 'visualization.html')}\n`,
      );
      expect((await cli(['visualize', 'run-ok', '--html', '--ascii'])).code).toBe(2);
    });
  });
});
