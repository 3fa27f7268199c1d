/**
 * `tools.file`: read, write, append, list and exists, confined to one root directory. A path is
 * refused when it leaves the root lexically (`../`, an absolute path elsewhere) or through a
 * symlink: the real path of the target (or, for a new file, of its nearest existing ancestor) must
 * lie inside the real path of the root, and the final component is opened with O_NOFOLLOW so a
 * symlink swapped in after the check is not followed either.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ToolDeniedError } from '../../errors.js';
import type { JsonObject } from '../../json.js';
import type { Tool } from '../tool.js';

export const FILE_DEFAULT_MAX_BYTES = 1_000_000;

export interface FileToolOptions {
  /** The directory every path is confined to. */
  root: string;
  maxBytes?: number;
}

export function createFileTool(options: FileToolOptions): Tool {
  const maxBytes = options.maxBytes ?? FILE_DEFAULT_MAX_BYTES;
  return {
    name: 'tools.file',
    description:
      'Reads, writes, appends, lists or checks files inside the project sandbox directory. Paths are relative to that directory.',
    inputSchema: {
      type: 'object',
      properties: {
        action: { type: 'string', enum: ['read', 'write', 'append', 'list', 'exists'] },
        path: { type: 'string' },
        content: { type: 'string' },
      },
      required: ['action', 'path'],
      additionalProperties: false,
    },
    async execute(input) {
      const action = String(input.action);
      const target = await confine(options.root, String(input.path));
      const shown = path.relative(await realpath(options.root), target) || '.';
      switch (action) {
        case 'exists': {
          const s = await stat(target).catch(() => undefined);
          return {
            path: shown,
            exists: s !== undefined,
            is_file: s?.isFile() ?? false,
            is_dir: s?.isDirectory() ?? false,
          };
        }
        case 'list': {
          const entries = await readdir(target, { withFileTypes: true });
          return {
            path: shown,
            entries: entries.map((e) => ({
              name: e.name,
              type: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other',
            })),
          };
        }
        case 'read': {
          const handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
          try {
            const buffer = Buffer.alloc(maxBytes + 1);
            const { bytesRead } = await handle.read(buffer, 0, maxBytes + 1, 0);
            const out: JsonObject = {
              path: shown,
              content: buffer.subarray(0, Math.min(bytesRead, maxBytes)).toString('utf8'),
            };
            if (bytesRead > maxBytes) out.truncated = true;
            return out;
          } finally {
            await handle.close();
          }
        }
        case 'write':
        case 'append': {
          const content = typeof input.content === 'string' ? input.content : '';
          await mkdir(path.dirname(target), { recursive: true });
          // Re-check after mkdir: a directory created in between must still be inside the root.
          await confine(options.root, String(input.path));
          const flags =
            constants.O_WRONLY |
            constants.O_CREAT |
            constants.O_NOFOLLOW |
            (action === 'append' ? constants.O_APPEND : constants.O_TRUNC);
          const handle = await open(target, flags, 0o644);
          try {
            await handle.writeFile(content, 'utf8');
          } finally {
            await handle.close();
          }
          return { path: shown, bytes: Buffer.byteLength(content) };
        }
        default:
          throw new ToolDeniedError(`tools.file: unknown action '${action}'`);
      }
    },
  };
}

/** The absolute target path, or ToolDeniedError when it would leave `root`. */
export async function confine(root: string, requested: string): Promise<string> {
  if (requested.includes('\0')) throw new ToolDeniedError('tools.file: path contains a NUL byte');
  const realRoot = await realpath(root).catch(() => {
    throw new ToolDeniedError(
      `tools.file: its root directory ${root} does not exist (create it, or set file.root in runtime.yaml)`,
    );
  });
  const lexical = path.resolve(realRoot, requested);
  if (!inside(realRoot, lexical))
    throw new ToolDeniedError(`tools.file: path '${requested}' is outside the sandbox root`, {
      details: { path: requested },
    });
  // Walk up to the nearest existing ancestor and compare real paths (symlinks resolved).
  let probe = lexical;
  const rest: string[] = [];
  for (;;) {
    const exists = await lstat(probe).then(
      () => true,
      () => false,
    );
    if (exists) break;
    rest.unshift(path.basename(probe));
    const parent = path.dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  const real = await realpath(probe).catch(() => probe);
  if (!inside(realRoot, real))
    throw new ToolDeniedError(
      `tools.file: path '${requested}' leaves the sandbox root through a symlink`,
      { details: { path: requested } },
    );
  return path.join(real, ...rest);
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
