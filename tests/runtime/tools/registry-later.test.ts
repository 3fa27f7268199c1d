/**
 * ToolRegistry#registerLater: tools whose modules load on the first `ready()` (runs defer the
 * configurable built-ins this way), yielding to a tool of the same name registered by then.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolRegistry, openProject, runWorkflow, type Tool } from '../../../runtime/index.js';

function tool(name: string, reply: string): Tool {
  return {
    name,
    description: `replies ${reply}`,
    inputSchema: { type: 'object' },
    execute: () => ({ reply }),
  };
}

test('unseen until ready(); then registered, yielding to a tool already there', async () => {
  const registry = new ToolRegistry();
  registry.register(tool('mine', 'project'));
  let loads = 0;
  registry.registerLater(async () => {
    loads++;
    return [tool('mine', 'builtin'), tool('later', 'builtin')];
  });
  expect(registry.has('later')).toBe(false);
  await Promise.all([registry.ready(), registry.ready()]);
  expect(loads).toBe(1);
  expect(registry.names()).toEqual(['later', 'mine']);
  expect(await registry.get('mine').execute({}, undefined as never)).toEqual({ reply: 'project' });
});

test('openProject registers the built-ins at once unless asked to defer them', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ak-tools-later-'));
  expect((await openProject({ projectDir: dir })).tools.has('tools.file')).toBe(true);
  const deferred = (await openProject({ projectDir: dir, deferBuiltinTools: true })).tools;
  expect(deferred.has('tools.file')).toBe(false);
  await deferred.ready();
  expect(deferred.has('tools.file')).toBe(true);
});

test('a run reaches a deferred built-in tool from a tool step', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ak-tools-later-run-'));
  writeFileSync(path.join(dir, 'runtime.yaml'), 'schema_version: v1\nfile: { root: . }\n');
  writeFileSync(path.join(dir, 'note.txt'), 'hello');
  const result = await runWorkflow(
    [
      'schema_version: v1',
      'workflow: { id: read_note, version: v1 }',
      'steps:',
      '  - id: read',
      '    type: tool',
      '    tool: tools.file',
      '    inputs: { action: read, path: note.txt }',
      '',
    ].join('\n'),
    { projectDir: dir },
  );
  expect(result.status).toBe('COMPLETED');
  expect(JSON.stringify(result.outputs)).toContain('hello');
});
