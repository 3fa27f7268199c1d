/**
 * `tools.shell`: runs ONE allowlisted program with arguments, never through a shell: no `|`, `;`,
 * `&&`, `$(…)`, globbing or redirection is interpreted, so an argument cannot smuggle in a second
 * command. Off unless `shell.enabled: true` in runtime.yaml. The program (as written) must fully
 * match a `shell.allowlist` pattern and no `shell.denylist` pattern (deny wins); output is capped
 * and the process is killed at its timeout or when the run is cancelled.
 */
import { execFile } from 'node:child_process';
import { AgentkernelError, ToolDeniedError } from '../../errors.js';
import type { JsonObject } from '../../json.js';
import type { Tool } from '../tool.js';

export const SHELL_DEFAULT_TIMEOUT_MS = 60_000;
export const SHELL_MAX_OUTPUT_BYTES = 1_000_000;

export interface ShellToolOptions {
  enabled: boolean;
  /** Regular expressions, each matched against the whole program name. */
  allowlist: string[];
  denylist?: string[];
  cwd?: string;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

export function createShellTool(options: ShellToolOptions): Tool {
  const allow = options.allowlist.map((p) => new RegExp(`^(?:${p})$`));
  const deny = (options.denylist ?? []).map((p) => new RegExp(`^(?:${p})$`));
  return {
    name: 'tools.shell',
    description:
      'Runs one allowlisted program with an argument list (no shell: pipes, redirects and command chaining are not interpreted). Returns {stdout, stderr, exit_code}.',
    inputSchema: {
      type: 'object',
      properties: {
        command: {
          type: 'string',
          description: 'the program, or a command line split into words without a shell',
        },
        args: { type: 'array', items: { type: 'string' } },
        timeout_ms: { type: 'integer', minimum: 1 },
      },
      required: ['command'],
      additionalProperties: false,
    },
    execute(input, ctx) {
      if (!options.enabled)
        throw new ToolDeniedError(
          'tools.shell is disabled (set shell.enabled: true and a shell.allowlist in runtime.yaml to use it)',
        );
      const words = splitWords(String(input.command));
      const program = words[0];
      if (program === undefined) throw new ToolDeniedError('tools.shell: empty command');
      const args = [
        ...words.slice(1),
        ...(Array.isArray(input.args) ? input.args.map(String) : []),
      ];
      if (deny.some((r) => r.test(program)) || !allow.some((r) => r.test(program)))
        throw new ToolDeniedError(
          `tools.shell: command '${program}' is not allowed (shell.allowlist in runtime.yaml)`,
          { details: { command: program } },
        );
      const timeout =
        typeof input.timeout_ms === 'number'
          ? Math.min(input.timeout_ms, options.timeoutMs ?? SHELL_DEFAULT_TIMEOUT_MS)
          : (options.timeoutMs ?? SHELL_DEFAULT_TIMEOUT_MS);
      return new Promise<JsonObject>((resolve, reject) => {
        execFile(
          program,
          args,
          {
            shell: false,
            timeout,
            maxBuffer: options.maxOutputBytes ?? SHELL_MAX_OUTPUT_BYTES,
            signal: ctx.signal,
            ...(options.cwd && { cwd: options.cwd }),
            windowsHide: true,
          },
          (error, stdout, stderr) => {
            const out: JsonObject = {
              stdout: String(stdout),
              stderr: String(stderr),
              exit_code: 0,
            };
            if (!error) return resolve(out);
            const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
            if (ctx.signal.aborted) return reject(ctx.signal.reason);
            const exit = typeof e.code === 'number' ? e.code : null;
            const why = e.killed
              ? `killed after ${timeout}ms (timeout) or for output over the cap`
              : exit !== null
                ? `exited with code ${exit}`
                : e.message;
            reject(
              new AgentkernelError(
                'AR-STEP-EXECUTION',
                `tools.shell: '${program}' ${why}${String(stderr).trim() ? `: ${String(stderr).trim().slice(0, 500)}` : ''}`,
                {
                  details: { ...out, exit_code: exit },
                },
              ),
            );
          },
        );
      });
    },
  };
}

/**
 * Splits a command line into words the way a shell would split plain words and quotes, and
 * nothing more: operators are ordinary characters, so `a; rm -rf /` is the program `a;` and args.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new ToolDeniedError('tools.shell: unterminated quote in command');
  if (started) words.push(current);
  return words;
}
