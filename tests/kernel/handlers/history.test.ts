import { mkdtempSync, appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { History, defaultHistoryFile } from '../../../kernel/history.js';

const tmpFile = () =>
  path.join(mkdtempSync(path.join(os.tmpdir(), 'ak-history-')), 'sub', 'history.jsonl');

describe('History', () => {
  test('persists across instances (kernel restarts) with a new session number each time', () => {
    const file = tmpFile();
    const first = new History(file);
    expect(first.session).toBe(1);
    first.store(1, 'const a = 1', null);
    first.store(2, 'a + 1', null);
    first.setOutput(2, '2');
    const second = new History(file);
    expect(second.session).toBe(2);
    second.store(1, 'a', null);
    expect(second.query({ hist_access_type: 'tail', n: 3, output: false, raw: true })).toEqual([
      [1, 1, 'const a = 1'],
      [1, 2, 'a + 1'],
      [2, 1, 'a'],
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  test('range selects [start, stop) of one session; 0 and negatives count back from the current', () => {
    const file = tmpFile();
    const old = new History(file);
    old.store(1, 'x1', null);
    old.store(2, 'x2', null);
    const h = new History(file);
    h.store(1, 'y1', null);
    h.store(2, 'y2', null);
    h.store(3, 'y3', null);
    expect(
      h.query({
        hist_access_type: 'range',
        session: 2,
        start: 2,
        stop: 3,
        output: false,
        raw: true,
      }),
    ).toEqual([[2, 2, 'y2']]);
    expect(
      h.query({ hist_access_type: 'range', session: 0, start: 2, output: false, raw: true }),
    ).toEqual([
      [2, 2, 'y2'],
      [2, 3, 'y3'],
    ]);
    expect(
      h.query({ hist_access_type: 'range', session: -1, start: 1, output: false, raw: true }),
    ).toEqual([
      [1, 1, 'x1'],
      [1, 2, 'x2'],
    ]);
  });

  test('search: glob pattern, unique keeps the latest of each input, n keeps the last n', () => {
    const h = new History(tmpFile());
    ['1 + 2', 'foo', '1 + 2', '1 + 3', '1 + 2'].forEach((code, i) => h.store(i + 1, code, null));
    const q = (extra: object) =>
      h.query({ hist_access_type: 'search', pattern: '1 + *', output: false, raw: true, ...extra });
    expect(q({})).toHaveLength(4);
    expect(q({ unique: true })).toEqual([
      [1, 4, '1 + 3'],
      [1, 5, '1 + 2'],
    ]);
    expect(q({ n: 3 }).map((e) => e[1])).toEqual([3, 4, 5]);
    expect(
      h.query({ hist_access_type: 'search', pattern: 'f?o', output: false, raw: true }),
    ).toEqual([[1, 2, 'foo']]);
  });

  test('output=true returns [input, output] pairs', () => {
    const h = new History(tmpFile());
    h.store(1, '40 + 2', null);
    h.setOutput(1, '42');
    h.store(2, 'let z', null);
    expect(h.query({ hist_access_type: 'tail', n: 2, output: true, raw: true })).toEqual([
      [1, 1, ['40 + 2', '42']],
      [1, 2, ['let z', null]],
    ]);
  });

  test('a torn last line from a killed kernel is skipped', () => {
    const file = tmpFile();
    new History(file).store(1, 'ok', null);
    appendFileSync(file, '{"session": 1, "line": 2, "inp');
    const h = new History(file);
    expect(h.query({ hist_access_type: 'tail', n: 10, output: false, raw: true })).toEqual([
      [1, 1, 'ok'],
    ]);
    expect(h.session).toBe(2);
  });

  test('file location: AGENTKERNEL_HISTORY, else under the Jupyter data dir', () => {
    expect(defaultHistoryFile({ AGENTKERNEL_HISTORY: '/x/h.jsonl' })).toBe('/x/h.jsonl');
    expect(defaultHistoryFile({ JUPYTER_DATA_DIR: '/data' })).toBe(
      '/data/agentkernel/history.jsonl',
    );
  });
});
