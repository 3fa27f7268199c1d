import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ToolRegistry,
  discoverTools,
  echoTool,
  isTool,
  validateToolInput,
} from '../../../runtime/tools/index.js';
import { isAgentkernelError, type AgentkernelError } from '../../../runtime/errors.js';

function caught(fn: () => unknown): AgentkernelError {
  try {
    fn();
  } catch (e) {
    if (isAgentkernelError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('ToolRegistry', () => {
  it('holds tools.echo by default and rejects duplicate names', () => {
    const registry = ToolRegistry.withBuiltins();
    expect(registry.names()).toEqual(['tools.echo']);
    expect(caught(() => registry.register(echoTool, '/x/tools/echo.ts')).code).toBe(
      'AR-WORKFLOW-VALIDATION',
    );
  });

  it('an unknown tool is ToolNotFoundError listing the registered ones', () => {
    const error = caught(() => ToolRegistry.withBuiltins().get('tools.nope'));
    expect(error.code).toBe('AR-TOOL-NOT-FOUND');
    expect(error.message).toBe('Tool not found: tools.nope (registered: tools.echo)');
  });
});

describe('tool input validation (ajv)', () => {
  it('accepts valid input and reports every problem of invalid input', () => {
    const tool = {
      ...echoTool,
      name: 't',
      inputSchema: {
        type: 'object',
        properties: { n: { type: 'integer' }, s: { type: 'string' } },
        required: ['n', 's'],
      },
    };
    expect(() => validateToolInput(tool, { n: 1, s: 'x' })).not.toThrow();
    const error = caught(() => validateToolInput(tool, { n: 'one' }));
    expect(error.code).toBe('AR-INPUT-VALIDATION');
    expect(error.message).toMatch(/\/n must be integer/);
    expect(error.message).toMatch(/must have required property 's'/);
  });
});

describe('discoverTools', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ak-tools-'));
    writeFileSync(
      path.join(dir, 'shop.mjs'),
      `export const lookup = { name: 'tools.lookup', description: 'd', inputSchema: { type: 'object' }, execute: (i) => ({ found: i.sku ?? null }) };
export class Basket { name = 'tools.basket'; description = 'd'; inputSchema = { type: 'object' }; execute() { return { items: 0 }; } }
export const helper = 42;
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers exported Tool objects and no-arg Tool classes from the tools directory', async () => {
    const registry = ToolRegistry.withBuiltins();
    expect((await discoverTools(dir, registry)).sort()).toEqual(['tools.basket', 'tools.lookup']);
    expect(await registry.get('tools.lookup').execute({ sku: 'A1' }, undefined as never)).toEqual({
      found: 'A1',
    });
    expect(isTool(registry.get('tools.basket'))).toBe(true);
  });
});
