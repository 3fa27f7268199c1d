/**
 * The child side of the kill -9 test, as a script for `node --input-type=module -e`. It runs (or
 * resumes) a multi-step workflow on a SQLite file; every function invocation appends
 * `<pid> <step>` to a log file first (appendFileSync: in the OS page cache before the step goes on,
 * so it survives SIGKILL of this process), then busy-waits a little so kills land inside steps.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir } from '../../../helpers/paths.js';

export const CRASH_STEPS = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];

export const CRASH_WORKFLOW = `schema_version: v1
workflow: { id: crash_test, version: v1 }
inputs:
  seed: { default: 7 }
steps:
${CRASH_STEPS.map(
  (id, i) => `  - id: ${id}
    type: function
    function: crash.step
    inputs: { value: ${i === 0 ? 'inputs.seed' : `steps.${CRASH_STEPS[i - 1]}.value`}, name: ${id} }`,
).join('\n')}
`;

/** What an uninterrupted run produces: value doubles plus the step's position. */
export function expectedOutputs(seed = 7): Record<string, { value: number; by: string }> {
  const out: Record<string, { value: number; by: string }> = {};
  let value = seed;
  for (const [i, id] of CRASH_STEPS.entries()) {
    value = value * 2 + i;
    out[id] = { value, by: id };
  }
  return out;
}

export const CHILD_SCRIPT = `
import { appendFileSync } from 'node:fs';
const [apiUrl, storeUrl, mode, db, log, yaml, runId] = process.argv.slice(1);
const { runWorkflow, resumeRun } = await import(apiUrl);
const { SqliteRunStore } = await import(storeUrl);
const steps = ${JSON.stringify(CRASH_STEPS)};
const functions = {
  'crash.step': (input) => {
    appendFileSync(log, process.pid + ' ' + input.name + '\\n');
    const until = Date.now() + 3;
    while (Date.now() < until) {} // busy: a kill now lands inside the step
    return { value: Number(input.value) * 2 + steps.indexOf(input.name), by: input.name };
  },
};
const store = new SqliteRunStore(db);
const options = { store, functions, cwd: process.cwd() };
const result = mode === 'run' ? await runWorkflow(yaml, options) : await resumeRun(runId, options);
await store.close();
process.stdout.write(JSON.stringify({ runId: result.runId, status: result.status }));
`;

export function childArgs(mode: 'run' | 'resume', db: string, log: string, runId = ''): string[] {
  return [
    '--input-type=module',
    '-e',
    CHILD_SCRIPT,
    pathToFileURL(path.join(distDir, 'runtime', 'api.js')).href,
    pathToFileURL(path.join(distDir, 'runtime', 'store', 'sqlite-store.js')).href,
    mode,
    db,
    log,
    CRASH_WORKFLOW,
    runId,
  ];
}

// ---------------------------------------------------------------------------------------------
// Driving children and checking one crash trial (shared by the test and bench/store-crash-soak).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { replayRun } from '../../../../runtime/replay/replay.js';
import { SqliteRunStore } from '../../../../runtime/store/sqlite-store.js';
import { jsonEqual } from '../../../../runtime/store/state-chain.js';
import type { JsonValue } from '../../../../runtime/json.js';

export interface ChildEnd {
  pid: number;
  killed: boolean;
  code: number | null;
  stderr: string;
}

export function logLines(log: string): Array<{ pid: number; step: string }> {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [pid, step] = l.split(' ');
      return { pid: Number(pid), step: step as string };
    });
}

/**
 * Runs a child; when `killAfterInvocations` is set, SIGKILLs it `extraDelayMs` after the log shows
 * that many invocations by this child (polled every millisecond).
 */
export function runChild(
  args: string[],
  cwd: string,
  log: string,
  killAfterInvocations: number | null,
  extraDelayMs: number,
): Promise<ChildEnd> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const timer =
      killAfterInvocations === null
        ? null
        : setInterval(() => {
            if (logLines(log).filter((l) => l.pid === child.pid).length < killAfterInvocations)
              return;
            if (timer) clearInterval(timer);
            setTimeout(() => {
              killed = child.kill('SIGKILL');
            }, extraDelayMs);
          }, 1);
    child.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve({ pid: child.pid ?? -1, killed, code, stderr });
    });
  });
}

async function withStore<T>(db: string, body: (store: SqliteRunStore) => Promise<T>): Promise<T> {
  const store = new SqliteRunStore(db);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

export interface CrashTrial {
  /** Processes killed (the first run, and resumes chosen to be killed too). */
  kills: number;
  /** The first child was killed before the run ended. */
  firstKilled: boolean;
  resumes: number;
  /** Steps that ran again although their completion was committed before that process started. */
  reranCompleted: string[];
  /** Children that exited unkilled with a non-zero code, with their stderr. */
  childFailures: string[];
  finalStatus: string | null;
  outputsMatch: boolean;
  /** Every step has exactly one COMPLETED record, in workflow order. */
  completionsInOrder: boolean;
  replayVerified: boolean;
}

/**
 * One trial: run, SIGKILL after `invocations` step invocations + `delayMs`, then resume until the
 * run completes (killing the first resume too when `killFirstResume`).
 */
export async function crashTrial(
  dir: string,
  name: string,
  invocations: number,
  delayMs: number,
  killFirstResume: boolean,
): Promise<CrashTrial> {
  const db = path.join(dir, `${name}.db`);
  const log = path.join(dir, `${name}.log`);
  const trial: CrashTrial = {
    kills: 0,
    firstKilled: false,
    resumes: 0,
    reranCompleted: [],
    childFailures: [],
    finalStatus: null,
    outputsMatch: false,
    completionsInOrder: false,
    replayVerified: false,
  };
  const note = (end: ChildEnd) => {
    if (end.killed) trial.kills++;
    else if (end.code !== 0) trial.childFailures.push(`exit ${end.code}: ${end.stderr}`);
  };
  const first = await runChild(childArgs('run', db, log), dir, log, invocations, delayMs);
  trial.firstKilled = first.killed;
  note(first);

  const latestRun = () =>
    existsSync(db)
      ? withStore(db, async (s) => (await s.listRuns())[0]?.runId ?? null)
      : Promise.resolve(null);
  let runId = await latestRun();
  if (runId === null) {
    // Killed before the run was even created: nothing recorded, so start it again.
    note(await runChild(childArgs('run', db, log), dir, log, null, 0));
    runId = await latestRun();
  }
  if (runId === null) return trial;
  const id = runId;

  for (let round = 0; round < 4; round++) {
    const status = await withStore(db, async (s) => (await s.getRun(id))?.status ?? null);
    if (status === 'COMPLETED') break;
    const doneBefore = await withStore(
      db,
      async (s) =>
        new Set(
          (await s.getSteps(id)).filter((r) => r.status === 'COMPLETED').map((r) => r.stepId),
        ),
    );
    const child = await runChild(
      childArgs('resume', db, log, id),
      dir,
      log,
      round === 0 && killFirstResume ? 1 : null,
      1,
    );
    trial.resumes++;
    note(child);
    const ran = logLines(log)
      .filter((l) => l.pid === child.pid)
      .map((l) => l.step);
    trial.reranCompleted.push(...ran.filter((s) => doneBefore.has(s)));
  }

  await withStore(db, async (store) => {
    trial.finalStatus = (await store.getRun(id))?.status ?? null;
    const steps = await store.getSteps(id);
    trial.completionsInOrder = jsonEqual(
      steps.filter((s) => s.status === 'COMPLETED').map((s) => s.stepId),
      CRASH_STEPS,
    );
    try {
      const replayed = await replayRun(store, id, { verifyState: true });
      trial.replayVerified = true;
      trial.outputsMatch = jsonEqual(
        replayed.finalState['steps'],
        expectedOutputs() as unknown as JsonValue,
      );
    } catch {
      trial.replayVerified = false;
    }
  });
  return trial;
}
