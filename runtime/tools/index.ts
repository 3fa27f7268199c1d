export type { Tool, ToolContext } from './tool.js';
export { isTool } from './tool.js';
export { ToolRegistry } from './registry.js';
export { discoverTools } from './discover.js';
export { echoTool, builtinTools } from './echo.js';
export { validateToolInput, ToolInputError } from './validate-input.js';
