/** Completion inside magics: names, workflow files, run ids; null outside magics. */
import { completeMagic, tryRunMagic } from '../../../kernel/magics/index.js';
import { StoreCache } from '../../../kernel/magics/stores.js';
import { RecordingSink } from '../cells/recording-sink.js';
import { MapVariables, copyNotebookProject } from './project.js';

let project: ReturnType<typeof copyNotebookProject>;
let stores: StoreCache;

beforeEach(() => {
  project = copyNotebookProject();
  stores = new StoreCache();
});

afterEach(async () => {
  await stores.closeAll();
  project.remove();
});

const complete = (code: string, cursor = [...code].length) =>
  completeMagic(code, cursor, { cwd: project.dir, stores });

test('not a magic: null, so the language service answers', async () => {
  expect(await complete('const x = 1; x.')).toBeNull();
  expect(await complete('%runs\nfoo', 9)).toBeNull();
});

test('magic names', async () => {
  expect(await complete('%wor')).toEqual({
    matches: ['%workflow'],
    cursorStart: 0,
    cursorEnd: 4,
    metadata: {},
  });
  expect((await complete('%%'))!.matches).toEqual(['%%workflow']);
  expect((await complete('  %r'))!).toMatchObject({
    matches: ['%replay', '%resume', '%runs'],
    cursorStart: 2,
  });
  expect((await complete('%'))!.matches).toEqual(
    expect.arrayContaining(['%lsmagic', '%inspect', '%workflow', '%%workflow']),
  );
});

test('workflow ids and files after %workflow, directory by directory', async () => {
  const top = (await complete('%workflow '))!.matches;
  expect(top.slice(0, 4)).toEqual(['assist', 'release', 'summarize', 'triage']);
  expect(top).toContain('workflows/');
  expect((await complete('%workflow tr'))!.matches).toEqual(['triage']);
  const r = await complete('%workflow workflows/tr');
  expect(r).toEqual({
    matches: ['workflows/triage.yaml'],
    cursorStart: 10,
    cursorEnd: 22,
    metadata: {},
  });
  expect((await complete('%workflow workflows/'))!.matches).toEqual([
    'workflows/assist.yaml',
    'workflows/release.yaml',
    'workflows/summarize.yaml',
    'workflows/triage.yaml',
  ]);
  // After an option that takes a value, nothing is offered.
  expect((await complete('%workflow workflows/triage.yaml -o '))!.matches).toEqual([]);
});

test('run ids after %resume / %replay / %inspect', async () => {
  expect((await complete('%resume '))!.matches).toEqual([]); // no store yet: nothing, and no file created
  const variables = new MapVariables();
  const outcome = await tryRunMagic('%workflow triage -o t', {
    signal: new AbortController().signal,
    sink: new RecordingSink(),
    cwd: project.dir,
    variables,
    stores,
  });
  expect(outcome?.status).toBe('ok');
  const runId = (variables.values.get('t') as { runId: string }).runId;
  expect((await complete('%inspect '))!.matches).toEqual(['latest', runId]);
  const r = await complete(`%replay ${runId.slice(0, 6)}`);
  expect(r).toEqual({ matches: [runId], cursorStart: 8, cursorEnd: 14, metadata: {} });
});

test('cursor positions count code points, not UTF-16 units', async () => {
  const r = await complete('%workflow workflows/😀');
  expect(r).toMatchObject({ matches: [], cursorStart: 10, cursorEnd: 21 });
});
