/**
 * An agent workflow through the real CLI (`node dist/runtime/cli/main.js run …` in a child
 * process) against the fake OpenAI server: the key comes from the project's `.env`, and neither
 * the run store file nor the CLI output ever holds it.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { distDir, repoRoot } from '../../helpers/paths.js';

const KEY = 'sk-cli-dotenv-KEY-24680';
const main = path.join(distDir, 'runtime', 'cli', 'main.js');

function cli(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.FAKE_KEY;
    const child = spawn(process.execPath, [main, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

it('runs a ReAct agent from the CLI with the key from .env, recording no trace of the key', async () => {
  const server = await startFakeOpenAiServer([
    { text: `echoing ${KEY}`, toolCalls: [{ name: 'tools__echo', arguments: { message: KEY } }] },
    { text: `Findings mention ${KEY}.` },
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'ak-cli-agent-'));
  try {
    mkdirSync(path.join(dir, 'agents'));
    mkdirSync(path.join(dir, 'workflows'));
    copyFileSync(
      path.join(repoRoot, 'agents', 'researcher.yaml'),
      path.join(dir, 'agents', 'researcher.yaml'),
    );
    writeFileSync(path.join(dir, '.env'), `FAKE_KEY=${KEY}\n`);
    writeFileSync(
      path.join(dir, 'runtime.yaml'),
      `schema_version: v1\ndefault_model: fake/m1\nllm:\n  providers:\n    fake: {type: openai, base_url: "${server.url}/v1", api_key_env: FAKE_KEY}\n  pricing:\n    fake/m1: {input: 1, output: 2}\n`,
    );
    writeFileSync(
      path.join(dir, 'workflows', 'w.yaml'),
      'schema_version: v1\nworkflow: {id: w, version: v1}\ninputs: [topic]\nsteps:\n  - {id: research, type: agent, agent: researcher, inputs: {topic: inputs.topic}}\n  - {id: show, type: tool, tool: tools.echo, inputs: {message: steps.research.findings}}\n',
    );
    const { code, out } = await cli(
      ['run', 'workflows/w.yaml', '--input', `topic=about ${KEY}`],
      dir,
    );
    expect(out).toMatch(/COMPLETED/);
    expect(code).toBe(0);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(out).not.toContain(KEY);
    // Not a terminal: the streamed text is one excerpt line for the step, not token fragments.
    expect(out).toMatch(/^ {2}research ▸ .*Findings mention \*\*\*\.$/m);
    const files = readdirSync(dir).filter((f) => f.startsWith('runtime.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(readFileSync(path.join(dir, f)).includes(Buffer.from(KEY))).toBe(false);
    const inspect = await cli(['inspect', 'latest', '--steps'], dir);
    expect(inspect.out).toContain('Findings mention ***.');
    expect(inspect.out).toContain('about ***');
    expect(inspect.out).not.toContain(KEY);
    // Run totals: 2 requests of 12 in / 7 out tokens each, priced at $1 / $2 per 1k tokens.
    expect(inspect.out).toContain('LLM: 2 requests, 38 tokens (in 24, out 14), cost $0.052');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
