/** `tools.echo`: returns its `message` unchanged. The built-in every sample workflow uses. */
import type { Tool } from './tool.js';

export const echoTool: Tool = {
  name: 'tools.echo',
  description: 'Returns the given message unchanged.',
  inputSchema: { type: 'object', properties: { message: {} }, required: ['message'] },
  execute(input) {
    return { message: input.message ?? null };
  },
};

export const builtinTools: readonly Tool[] = [echoTool];
