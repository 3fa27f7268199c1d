import { isCompleteMagic } from '../../../kernel/magics/detect.js';
import { MagicUsageError, isMagic, parseMagic, splitArgs } from '../../../kernel/magics/parse.js';

describe('splitArgs', () => {
  test('splits on whitespace, honours quotes and backslashes', () => {
    expect(splitArgs(`a  b\t c`)).toEqual(['a', 'b', 'c']);
    expect(splitArgs(`-i issue="DB is down" -i 'k=$v x'`)).toEqual([
      '-i',
      'issue=DB is down',
      '-i',
      'k=$v x',
    ]);
    expect(splitArgs(`"say \\"hi\\"" a\\ b ''`)).toEqual(['say "hi"', 'a b', '']);
    expect(splitArgs('')).toEqual([]);
  });

  test('an unterminated quote is a usage error', () => {
    expect(() => splitArgs(`-i issue="open`)).toThrow(MagicUsageError);
    expect(() => splitArgs(`'open`)).toThrow(/Unterminated ' quote/);
  });
});

describe('parseMagic', () => {
  test('TypeScript is not a magic', () => {
    expect(parseMagic('const x = 1 % 2')).toBeNull();
    expect(parseMagic('')).toBeNull();
    expect(isMagic('  \n%runs')).toBe(true);
    expect(isMagic('x % y')).toBe(false);
  });

  test('line magic with arguments', () => {
    expect(parseMagic('\n  %workflow wf.yaml -i a=1 -o r  \n')).toEqual({
      kind: 'line',
      name: 'workflow',
      argText: 'wf.yaml -i a=1 -o r',
      args: ['wf.yaml', '-i', 'a=1', '-o', 'r'],
      body: '',
      help: false,
    });
  });

  test('cell magic keeps its body verbatim', () => {
    const m = parseMagic('%%workflow --name hello\nsteps:\n  - id: a\n');
    expect(m).toMatchObject({
      kind: 'cell',
      name: 'workflow',
      args: ['--name', 'hello'],
      body: 'steps:\n  - id: a\n',
    });
  });

  test('help forms', () => {
    expect(parseMagic('%workflow?')).toMatchObject({ name: 'workflow', help: true, args: [] });
    expect(parseMagic('%workflow ?')).toMatchObject({ name: 'workflow', help: true });
    expect(parseMagic('%%workflow?')).toMatchObject({ kind: 'cell', help: true });
  });

  test('mistakes are usage errors with a code', () => {
    expect(() => parseMagic('% workflow')).toThrow(MagicUsageError);
    let caught: unknown;
    try {
      parseMagic('%runs\nconst x = 1');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MagicUsageError);
    expect((caught as MagicUsageError).code).toBe('AK-MAGIC-USAGE');
    expect((caught as Error).message).toMatch(/alone in its cell/);
  });
});

describe('isCompleteMagic', () => {
  test('line magics are complete; cell magics wait for an empty line after their body', () => {
    expect(isCompleteMagic('const x = 1')).toBeNull();
    expect(isCompleteMagic('%workflow triage -i a=1')).toEqual({ status: 'complete' });
    expect(isCompleteMagic('%%workflow --name x')).toEqual({ status: 'incomplete', indent: '' });
    expect(isCompleteMagic('%%workflow\nsteps:\n  - id: a')).toEqual({
      status: 'incomplete',
      indent: '',
    });
    expect(isCompleteMagic('%%workflow\nsteps:\n  - id: a\n\n')).toEqual({ status: 'complete' });
    expect(isCompleteMagic('%%workflow\nsteps:\n  - id: a\n')).toEqual({ status: 'complete' });
  });
});
