import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ToolDeniedError } from '../../../../runtime/errors.js';
import { createFileTool } from '../../../../runtime/tools/builtin/index.js';
import { toolContext } from './helpers.js';

let base: string;
let root: string;
beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'ak-file-'));
  root = path.join(base, 'root');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(base, 'secret.txt'), 'outside');
  writeFileSync(path.join(root, 'sub', 'a.txt'), 'hello');
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link-out.txt'));
  symlinkSync(base, path.join(root, 'dir-out'));
  symlinkSync(path.join(root, 'sub'), path.join(root, 'dir-in'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const run = (input: Record<string, string>) =>
  Promise.resolve(createFileTool({ root }).execute(input, toolContext()));

describe('tools.file', () => {
  it('reads, writes, appends, lists and checks inside the root', async () => {
    expect(await run({ action: 'read', path: 'sub/a.txt' })).toEqual({
      path: 'sub/a.txt',
      content: 'hello',
    });
    expect(await run({ action: 'write', path: 'new/dir/b.txt', content: 'x' })).toEqual({
      path: 'new/dir/b.txt',
      bytes: 1,
    });
    await run({ action: 'append', path: 'new/dir/b.txt', content: 'y' });
    expect((await run({ action: 'read', path: 'new/dir/b.txt' })).content).toBe('xy');
    expect(await run({ action: 'exists', path: 'sub' })).toMatchObject({
      exists: true,
      is_dir: true,
    });
    expect((await run({ action: 'list', path: '.' })).entries).toEqual(
      expect.arrayContaining([{ name: 'sub', type: 'dir' }]),
    );
    // A symlink that stays inside the root is fine.
    expect((await run({ action: 'read', path: 'dir-in/a.txt' })).content).toBe('hello');
  });

  it('refuses to work without its root directory', async () => {
    const tool = createFileTool({ root: path.join(base, 'missing') });
    await expect(
      Promise.resolve(tool.execute({ action: 'list', path: '.' }, toolContext())),
    ).rejects.toThrow(/root directory .* does not exist/);
  });

  it.each([
    ['../secret.txt', 'read'],
    ['sub/../../secret.txt', 'read'],
    ['/etc/passwd', 'read'],
    ['../escape.txt', 'write'],
    ['link-out.txt', 'read'],
    ['link-out.txt', 'write'],
    ['dir-out/secret.txt', 'read'],
    ['dir-out/planted.txt', 'write'],
    ['dir-out', 'list'],
  ])('refuses %s (%s)', async (p, action) => {
    const error = await run({ action, path: p, content: 'pwned' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect(existsSync(path.join(base, 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(base, 'planted.txt'))).toBe(false);
  });
});
