/**
 * The Tool interface. A tool is a named side-effecting capability (HTTP call, file write, ticket
 * creation) that a `type: tool` step, and later an agent, can invoke. Projects add tools by
 * exporting Tool objects from modules in their `tools/` directory:
 *
 * ```ts
 * // tools/ticket.ts
 * export const createTicket: Tool = {
 *   name: 'tools.create_ticket',
 *   description: 'Opens a ticket',
 *   inputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] },
 *   async execute(input, ctx) { return { id: await open(input.title, { signal: ctx.signal }) }; },
 * };
 * ```
 */
import type { JsonObject } from '../json.js';
import type { StepContext } from '../steps/context.js';

export type ToolContext = StepContext;

export interface Tool {
  /** Registered name, e.g. `tools.echo`; what a step's `tool:` field names. */
  name: string;
  description: string;
  /** JSON Schema of the input object; checked (ajv) before `execute` is called. */
  inputSchema: JsonObject;
  execute(input: JsonObject, ctx: ToolContext): Promise<JsonObject> | JsonObject;
}

/** Duck-typed check used by discovery: modules may export anything, only Tool-shaped values count. */
export function isTool(value: unknown): value is Tool {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    typeof v.description === 'string' &&
    typeof v.inputSchema === 'object' &&
    v.inputSchema !== null &&
    typeof v.execute === 'function'
  );
}
