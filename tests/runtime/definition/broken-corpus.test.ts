/**
 * Every file in tests/fixtures/broken declares, in `# expect: CODE line:col` comment lines, the
 * exact diagnostics the loader must report for it (errors and warnings): no more, no fewer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  analyzeWorkflow,
  parseWorkflow,
  type AgentCatalog,
  type FunctionCatalog,
} from '../../../runtime/definition/index.js';
import { isAgentkernelError, type DefinitionError } from '../../../runtime/errors.js';
import { fixturesDir } from '../../helpers/paths.js';

const brokenDir = path.join(fixturesDir, 'broken');
const files = readdirSync(brokenDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** The project's function catalog as the engine would build it from functions/. */
const functions: FunctionCatalog = {
  has: (ref) => ['triage.classify_issue', 'stubs.generate_summary'].includes(ref),
  list: () => ['triage.classify_issue', 'stubs.generate_summary'],
};

/** The project's agents as the engine would load them from agents/ (UNKNOWN_AGENT; added by G2). */
const agentRefs = ['summarizer@v1', 'summarizer@v2'];
const agents: AgentCatalog = {
  has: (ref) => agentRefs.includes(ref) || agentRefs.some((r) => r.startsWith(`${ref}@`)),
  list: () => agentRefs,
};

function expectations(text: string): string[] {
  return [...text.matchAll(/^# expect: ([A-Z_]+ \d+:\d+)\s*$/gm)].map((m) => m[1]!).sort();
}

test('the corpus has at least 35 broken files, each declaring what it expects', () => {
  expect(files.length).toBeGreaterThanOrEqual(35);
  for (const file of files) {
    expect([
      file,
      expectations(readFileSync(path.join(brokenDir, file), 'utf8')).length > 0,
    ]).toEqual([file, true]);
  }
});

test.each(files)('%s reports exactly its expected diagnostics', (name) => {
  const file = path.join(brokenDir, name);
  const text = readFileSync(file, 'utf8');
  const { definition, diagnostics } = analyzeWorkflow(text, { file, functions, agents });
  const actual = diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`).sort();
  expect(actual).toEqual(expectations(text));
  expect(definition).toBeUndefined();
  for (const d of diagnostics) {
    expect(d.file).toBe(file);
    expect(d.excerpt).toContain('^');
    expect(d.message.length).toBeGreaterThan(10);
  }
  // parseWorkflow throws one DefinitionError carrying all of them.
  let thrown: unknown;
  try {
    parseWorkflow(text, { file, functions, agents });
  } catch (error) {
    thrown = error;
  }
  expect(isAgentkernelError(thrown)).toBe(true);
  const error = thrown as DefinitionError;
  expect(error.code).toBe('AR-WORKFLOW-VALIDATION');
  expect(error.diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`).sort()).toEqual(actual);
  expect(error.message).toContain(`${file}:${diagnostics[0]!.line}:${diagnostics[0]!.col}`);
});
