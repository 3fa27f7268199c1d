/**
 * The configurable built-in tools (`tools.http`, `tools.file`, `tools.shell`), built from
 * runtime.yaml. `tools.echo` stays in tools/echo.ts (it needs no configuration).
 */
import path from 'node:path';
import type { RuntimeConfig } from '../../config.js';
import type { Tool } from '../tool.js';
import { createFileTool } from './file.js';
import { createHttpTool, type Resolver } from './http.js';
import { createShellTool } from './shell.js';

export { createFileTool, confine } from './file.js';
export { createHttpTool, type HttpToolOptions, type Resolver } from './http.js';
export { createShellTool, splitWords } from './shell.js';
export { isPrivateAddress } from './address-policy.js';

/** tools.file's sandbox when runtime.yaml sets no `file.root`: `<project>/workspace`. */
export const DEFAULT_FILE_ROOT = 'workspace';

export function configuredBuiltinTools(
  config: RuntimeConfig,
  options: { resolver?: Resolver } = {},
): Tool[] {
  return [
    createHttpTool({
      allowlist: config.http?.allowlist ?? [],
      allowPrivate: config.http?.allowPrivate ?? false,
      ...(options.resolver && { resolver: options.resolver }),
    }),
    // Not the project directory itself: that holds .env and runtime.yaml, which an agent must not read.
    createFileTool({ root: config.file?.root ?? path.join(config.projectDir, DEFAULT_FILE_ROOT) }),
    createShellTool({
      enabled: config.shell.enabled ?? false,
      allowlist: config.shell.allowlist,
      denylist: config.shell.denylist,
      cwd: config.projectDir,
    }),
  ];
}
