import path from 'node:path';
import {
  compareVersions,
  parseWorkflowRef,
  WorkflowRegistry,
} from '../../../runtime/definition/index.js';
import { fixturesDir } from '../../helpers/paths.js';

const dir = path.join(fixturesDir, 'registry');
let registry: WorkflowRegistry;

beforeAll(async () => {
  registry = await WorkflowRegistry.scan(dir);
});

test('scans recursively, *.yaml and *.yml, skipping hidden directories and other files', () => {
  expect(registry.list().map((e) => `${e.id}@${e.version} ${path.relative(dir, e.file)}`)).toEqual([
    'code_review_agent@v1 code_review_agent_v1.yaml',
    'code_review_agent@v2 versioning/code_review_agent_v2.yaml',
    'duplicated@v1 duplicated_a.yaml',
    'duplicated@v1 nested/duplicated_b.yaml',
    'duplicated@v2 duplicated_v2.yaml',
    'ordering@v1.9 nested/ordering_v1_9.yaml',
    'ordering@v1.10 nested/ordering_v1_10.yaml',
    'ordering@v9 nested/ordering_v9.yml',
    'ordering@v10 nested/deeper/ordering_v10.yaml',
  ]);
});

test('a bare id resolves to the highest version; id@vN to that version', () => {
  expect(registry.resolve('code_review_agent').definition.steps.map((s) => s.id)).toEqual([
    'echo',
    'finalization',
  ]);
  expect(registry.resolve('code_review_agent@v1').definition.steps).toHaveLength(1);
  expect(registry.resolve('code_review_agent@1').version).toBe('v1');
  expect(registry.resolve('ordering').version).toBe('v10');
  expect(registry.resolve('ordering@v1.10').file).toBe(
    path.join(dir, 'nested', 'ordering_v1_10.yaml'),
  );
});

test('an unknown id or version is AR-FILE-NOT-FOUND with what exists', () => {
  expect(() => registry.resolve('code_review_agnt')).toThrow(/did you mean 'code_review_agent'/);
  expect(() => registry.resolve('nothing_like_it')).toThrow(
    expect.objectContaining({ code: 'AR-FILE-NOT-FOUND' }),
  );
  expect(() => registry.resolve('code_review_agent@v3')).toThrow(
    /has no version v3 \(available: v1, v2\)/,
  );
  expect(registry.has('code_review_agent@v3')).toBe(false);
  expect(registry.has('ordering@v9')).toBe(true);
});

test('a duplicate (id, version) is an error naming both files, only for that id', () => {
  let message = '';
  try {
    registry.resolve('duplicated@v1');
  } catch (error) {
    message = (error as Error).message;
    expect(error).toMatchObject({ code: 'AR-WORKFLOW-VALIDATION' });
  }
  expect(message).toContain(path.join(dir, 'duplicated_a.yaml'));
  expect(message).toContain(path.join(dir, 'nested', 'duplicated_b.yaml'));
  expect(() => registry.resolve('duplicated')).toThrow(/more than one file/);
  expect(registry.resolve('duplicated@v2').file).toBe(path.join(dir, 'duplicated_v2.yaml'));
  expect(registry.resolve('code_review_agent').version).toBe('v2');
});

test('unparseable files are skipped and reported by problems()', () => {
  const problems = registry.problems();
  expect(problems.map((p) => path.relative(dir, p.file))).toEqual(['broken.yaml']);
  expect(problems[0]!.diagnostics.map((d) => d.code)).toEqual(['INVALID_VALUE']);
  expect(() => registry.resolve('broken_one')).toThrow(/1 file\(s\) failed to load/);
});

test('a missing directory is an empty registry', async () => {
  const empty = await WorkflowRegistry.scan(path.join(dir, 'does-not-exist'));
  expect([empty.list(), empty.problems()]).toEqual([[], []]);
});

test('references and version ordering', () => {
  expect(parseWorkflowRef('triage')).toEqual({ id: 'triage' });
  expect(parseWorkflowRef('triage@2')).toEqual({ id: 'triage', version: 'v2' });
  expect(() => parseWorkflowRef('triage@latest')).toThrow(/Invalid workflow reference/);
  expect(['v10', 'v2', 'v1.10', 'v1.9', 'v1'].sort(compareVersions)).toEqual([
    'v1',
    'v1.9',
    'v1.10',
    'v2',
    'v10',
  ]);
});
