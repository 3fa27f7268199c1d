/** An agent file that cannot be loaded: every problem found, each with file:line:col. */
import {
  AgentkernelError,
  formatDiagnostic,
  registerErrorClass,
  type Diagnostic,
  type ErrorOptions,
} from '../errors.js';
import type { JsonValue } from '../json.js';

export class AgentDefinitionError extends AgentkernelError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], options: ErrorOptions = {}) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? diagnostics[0];
    const head = first
      ? `${errors.length} problem${errors.length === 1 ? '' : 's'} in agent file ${first.file}`
      : 'invalid agent definition';
    super('AR-AGENT-VALIDATION', `${head}\n${diagnostics.map(formatDiagnostic).join('\n')}`, {
      ...options,
      details: { ...options.details, diagnostics: diagnostics as unknown as JsonValue },
    });
    this.diagnostics = diagnostics;
  }
}

/** An agent reference (`summarizer@v2`) that names no loaded agent. */
export class AgentNotFoundError extends AgentkernelError {
  constructor(ref: string, known: string[], agentsDir: string) {
    super(
      'AR-AGENT-VALIDATION',
      `Agent not found: ${ref} (in ${agentsDir}; known: ${known.join(', ') || 'none'})`,
      { details: { agent: ref } },
    );
  }
}

registerErrorClass(AgentDefinitionError);
registerErrorClass(AgentNotFoundError);
