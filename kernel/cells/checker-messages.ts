/** The typed main ↔ checker-worker messages (architecture rule 11): requests carry ids. */
import type { CellDiagnostic, Completion, QuickInfo } from './language-service.js';

export interface CheckerWorkerData {
  cwd: string;
  typesNodeDir: string;
}

export type CheckerRequest =
  | { id: number; type: 'check'; code: string }
  | { id: number; type: 'complete'; code: string; cursor: number }
  | { id: number; type: 'inspect'; code: string; cursor: number }
  | { id: number; type: 'memory' };

/** The checker worker's own V8 heap (its isolate), for benchmarks. */
export interface CheckerMemory {
  heapUsed: number;
  heapTotal: number;
}

export type CheckerResponse =
  | { id: number; type: 'check'; diagnostics: CellDiagnostic[] }
  | { id: number; type: 'complete'; completion: Completion }
  | { id: number; type: 'inspect'; info: QuickInfo }
  | { id: number; type: 'memory'; memory: CheckerMemory }
  | { id: number; type: 'error'; message: string };
