/**
 * Why a worker: user function/tool modules are TypeScript loaded through tsx, whose loader hooks
 * (`module.register`) cannot run inside Jest's module sandbox. Sample tests therefore drive the
 * public API in a worker thread — plain Node, exactly what users run — and get plain JSON back.
 */
import type { RunEvent, RunResult, SerializedError, JsonObject } from '../../../runtime/index.js';

export interface ScenarioRequest {
  id: number;
  op: 'run' | 'resume' | 'stream';
  /** Workflow file, id[@version] or inline YAML (run/stream). */
  target?: string;
  runId?: string;
  inputs?: JsonObject;
  projectDir?: string;
  /** A named store kept alive in the worker between requests (memory), or a SQLite file. */
  store?: { kind: 'memory'; name: string } | { kind: 'sqlite'; path: string };
  force?: boolean;
  /** Abort the run's signal when an event of this type for this step arrives. */
  abortOn?: { type: RunEvent['type']; stepId: string };
}

export interface ScenarioReply {
  id: number;
  result?: RunResult;
  events: RunEvent[];
  error?: SerializedError;
}
