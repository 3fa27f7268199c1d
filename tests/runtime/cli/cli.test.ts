/**
 * The CLI as users run it: `node dist/runtime/cli/main.js …` in a child process (function modules
 * are TypeScript loaded through tsx, which needs a plain Node process rather than Jest's sandbox).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { distDir, repoRoot } from '../../helpers/paths.js';

const main = path.join(distDir, 'runtime', 'cli', 'main.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  options: {
    cwd?: string;
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      cwd: options.cwd ?? repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'ak-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeWorkflow(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('agentkernel CLI', () => {
  it('prints help with the command table', async () => {
    const out = await cli(['--help']);
    expect(out.code).toBe(0);
    for (const name of ['run', 'resume', 'validate', 'runs', 'inspect'])
      expect(out.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('runs a sample with live progress lines and exits 0 when COMPLETED', async () => {
    const out = await cli([
      'run',
      'workflows/samples/01_linear_issue_summary.yaml',
      '--db',
      ':memory:',
    ]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toContain('⧗ generate_summary (function)');
    expect(lines.some((l) => /^✓ generate_summary \(function\) — \d+ms$/.test(l))).toBe(true);
    expect(lines.some((l) => /^✓ echo_summary \(tool\) — \d+ms$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Run [0-9a-f-]{36} status: COMPLETED$/);
  });

  it('coerces -i values and prints the RunResult with --json', async () => {
    const file = writeWorkflow(
      'typed.yaml',
      'schema_version: v1\nworkflow: {id: typed, version: v1}\ninputs: [n, flag, tags, text]\nsteps:\n  - {id: e, type: tool, tool: tools.echo, inputs: {message: inputs.tags}}\n',
    );
    const out = await cli([
      'run',
      file,
      '-i',
      'n=3',
      '-i',
      'flag=false',
      '-i',
      'tags=["a","b"]',
      '-i',
      'text=hello world',
      '--json',
      '--db',
      ':memory:',
    ]);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as {
      status: string;
      state: { inputs: unknown };
      outputs: unknown;
    };
    expect(result.status).toBe('COMPLETED');
    expect(result.state.inputs).toEqual({
      n: 3,
      flag: false,
      tags: ['a', 'b'],
      text: 'hello world',
    });
    expect(out.stderr).toContain('⧗ e (tool)');
  });

  it('rejects unknown and missing required inputs with exit 2 before running', async () => {
    const file = writeWorkflow(
      'required.yaml',
      'schema_version: v1\nworkflow: {id: req, version: v1}\ninputs: [text]\nsteps:\n  - {id: e, type: tool, tool: tools.echo, inputs: {message: inputs.text}}\n',
    );
    const missing = await cli(['run', file, '--db', ':memory:']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/AR-INPUT-VALIDATION.*missing required input\(s\): text/);
    const unknown = await cli(['run', file, '-i', 'text=a', '-i', 'txet=b', '--db', ':memory:']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown input\(s\): txet/);
    expect(unknown.stdout).not.toContain('⧗');
  });

  it('validate prints every diagnostic with its position and exits 1 on errors, 0 on warnings only', async () => {
    const broken = writeWorkflow(
      'broken.yaml',
      'schema_version: v1\nworkflow: {id: b, version: v1}\nsteps:\n  - id: a\n    type: tool\n    tol: tools.echo\n  - id: a\n    type: tool\n    tool: tools.echo\n',
    );
    const bad = await cli(['validate', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/error UNKNOWN_KEY/);
    expect(bad.stdout).toMatch(/error DUPLICATE_STEP_ID/);
    expect(bad.stdout).toContain(`${broken}:6:5`);
    const warned = await cli(['validate', 'workflows/samples/03_branching_triage.yaml']);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toMatch(/warning BRANCH_FALLTHROUGH/);
  });

  it('run exits 1 on a failed run; resume after adding the tool completes (sample 04)', async () => {
    const project = path.join(scratch, 'p04');
    mkdirSync(path.join(project, 'tools'), { recursive: true });
    cpSync(path.join(repoRoot, 'functions'), path.join(project, 'functions'), { recursive: true });
    writeFileSync(path.join(project, 'runtime.yaml'), 'schema_version: v1\n');
    cpSync(
      path.join(repoRoot, 'workflows', 'samples', '04_fail_and_resume.yaml'),
      path.join(project, 'wf04.yaml'),
    );
    const failed = await cli(['run', 'wf04.yaml'], { cwd: project });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /✗ failing_external_call — \[AR-TOOL-NOT-FOUND\] Tool not found: tools.missing_adapter/,
    );
    expect(failed.stdout).not.toContain('finalization');
    const runId = /Run ([0-9a-f-]{36}) status: FAILED/.exec(failed.stdout)?.[1];
    expect(runId).toBeDefined();

    cpSync(
      path.join(repoRoot, 'tools', '_fixes', 'missing_adapter.ts'),
      path.join(project, 'tools', 'missing_adapter.ts'),
    );
    const resumed = await cli(['resume', runId!], { cwd: project });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming run ${runId} from step: failing_external_call`);
    expect(resumed.stdout).toContain('✓ finalization (tool)');
    expect(resumed.stdout).toContain(`Run ${runId} status: COMPLETED`);
  });

  it('Ctrl-C (SIGINT) cancels the run cleanly: CANCELLED, exit 1', async () => {
    const file = writeWorkflow(
      'slow.yaml',
      'schema_version: v1\nworkflow: {id: slow, version: v1}\nsteps:\n  - {id: nap, type: function, function: stubs.sleep_ms, inputs: {ms: 30000}}\n  - {id: after, type: tool, tool: tools.echo, inputs: {message: x}}\n',
    );
    let sent = false;
    const out = await cli(['run', file, '--project', repoRoot, '--db', ':memory:'], {
      onStdout: (text, child) => {
        if (!sent && text.includes('nap: sleeping')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('Interrupted: cancelling the run');
    expect(out.stdout).toMatch(/✗ nap — \[AR-CANCELLED\]/);
    expect(out.stdout).toMatch(/status: CANCELLED/);
    expect(out.stdout).not.toContain('⧗ after');
  });

  it('a run killed with SIGKILL mid-step (crash) is resumable: the dead owner is detected, the step re-runs', async () => {
    const db = path.join(scratch, 'crash.db');
    const file = writeWorkflow(
      'crash.yaml',
      'schema_version: v1\nworkflow: {id: crash, version: v1}\nsteps:\n  - {id: first, type: tool, tool: tools.echo, inputs: {message: one}}\n  - {id: nap, type: function, function: stubs.sleep_ms, inputs: {ms: 1500}}\n  - {id: last, type: tool, tool: tools.echo, inputs: {message: done}}\n',
    );
    let killed = false;
    const crashed = await cli(['run', file, '--project', repoRoot, '--db', db], {
      onStdout: (text, child) => {
        if (!killed && text.includes('nap: sleeping')) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(crashed.code).toBeNull(); // killed, no exit code
    const runId = /Run ([0-9a-f-]{36}) \(crash@v1\)/.exec(crashed.stdout)?.[1];
    expect(runId).toBeDefined();
    const inspected = await cli(['inspect', runId!, '--db', db]);
    expect(inspected.stdout).toMatch(/RUNNING/);

    const resumed = await cli(['resume', runId!, '--project', repoRoot, '--db', db]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming run ${runId} from step: nap`);
    expect(resumed.stdout).not.toContain('⧗ first');
    expect(resumed.stdout).toContain('✓ last (tool)');
    expect(resumed.stdout).toContain(`Run ${runId} status: COMPLETED`);
  });
});
