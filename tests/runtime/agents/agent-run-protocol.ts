/**
 * Why a worker: the sample workflows call TypeScript functions loaded through tsx, whose loader
 * hooks cannot run inside Jest's module sandbox (same reason as tests/runtime/samples). The worker
 * runs the public API in plain Node and replies with JSON.
 */
import type { RunEvent, RunResult, SerializedError, JsonObject } from '../../../runtime/index.js';

export interface AgentRunRequest {
  id: number;
  file: string;
  inputs?: JsonObject;
  /** runtime.yaml default_model for this run (`scripted/<script>` or `fake/m1`). */
  defaultModel: string;
  /** The `fake` provider: wire type and base URL of a fake server. */
  fake?: { type: 'openai' | 'anthropic' | 'gemini'; baseUrl: string };
  limits?: { maxRequestsPerRun?: number };
  /** Environment the API keys are read from. */
  env?: Record<string, string>;
  /** Record in a SQLite store at this path, redacting these secrets; the reply carries its rows. */
  sqlite?: { path: string; redact: string[] };
  /** Abort the run at the first llm_token event. */
  abortOnToken?: boolean;
}

export interface AgentRunReply {
  id: number;
  result?: RunResult;
  events: RunEvent[];
  /** JSON of the run, step and state records read back from the SQLite store. */
  recorded?: string;
  error?: SerializedError;
}
