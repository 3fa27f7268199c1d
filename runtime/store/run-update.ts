/** Rules every RunStore shares: how a RunUpdate changes a RunRecord, and list defaults. */
import type { RunClaim, RunOwner, RunRecord, RunUpdate } from './run-store.js';

export const DEFAULT_RUN_LIST_LIMIT = 20;

/** Returns the run with `update` applied; fields absent from the update are kept. */
export function applyRunUpdate(run: RunRecord, update: RunUpdate): RunRecord {
  const next: RunRecord = { ...run, updatedAt: update.updatedAt ?? new Date().toISOString() };
  if (update.status !== undefined) next.status = update.status;
  if (update.completedAt !== undefined) next.completedAt = update.completedAt;
  if (update.error !== undefined) next.error = update.error;
  if (update.owner !== undefined) next.owner = update.owner;
  if (update.resumeCount !== undefined) next.resumeCount = update.resumeCount;
  if (update.metadata !== undefined) next.metadata = update.metadata;
  return next;
}

/** Whether `run` is still in the state a claimer read (RunStore.claimRun's compare step). */
export function claimMatches(run: RunRecord, expected: RunClaim['expected']): boolean {
  return (
    run.status === expected.status &&
    run.resumeCount === expected.resumeCount &&
    sameOwner(run.owner, expected.owner)
  );
}

function sameOwner(a: RunOwner | null, b: RunOwner | null): boolean {
  if (a === null || b === null) return a === b;
  return a.pid === b.pid && a.hostname === b.hostname;
}
