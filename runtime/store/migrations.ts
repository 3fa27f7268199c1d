/**
 * Schema migrations for the SQLite run store, keyed by `PRAGMA user_version`. Migrations are an
 * ordered list; each runs in its own transaction together with the user_version bump, so a crash
 * mid-migration leaves the previous schema intact. Never edit a shipped migration: append one.
 *
 * Column names follow the Python runtime's tables (runs, steps, state_versions) where they mean the
 * same thing, with one deliberate difference: `state_versions.changes_json` holds the change a step
 * made, not a full snapshot, so bytes written per step stay flat as a run's state grows.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, steps and state_versions tables',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        workflow_version TEXT NOT NULL,
        workflow_hash TEXT NOT NULL,
        workflow_yaml TEXT NOT NULL,
        workflow_file TEXT,
        workflow_steps_json TEXT NOT NULL,
        inputs_json TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        error_json TEXT,
        owner_json TEXT,
        resume_count INTEGER NOT NULL DEFAULT 0,
        metadata_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX runs_by_created ON runs(created_at);
      CREATE INDEX runs_by_workflow ON runs(workflow_id, created_at);
      CREATE INDEX runs_by_status ON runs(status, created_at);

      CREATE TABLE steps (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        execution_index INTEGER NOT NULL,
        step_id TEXT NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        input_json TEXT NOT NULL,
        output_json TEXT,
        error_json TEXT,
        last_error_json TEXT,
        attempts INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms REAL,
        next_step_resolved TEXT,
        metadata_json TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_id, execution_index)
      ) WITHOUT ROWID;

      CREATE TABLE state_versions (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        execution_index INTEGER,
        step_id TEXT,
        changes_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, version)
      ) WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Brings `db` to the latest schema; returns the version it started from. */
export function migrate(db: Database.Database, location: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      `Run store ${location} has schema version ${current}, newer than this agentkernel understands (${LATEST_SCHEMA_VERSION}); upgrade agentkernel or point db_path at another file`,
      { details: { path: location, schemaVersion: current, supported: LATEST_SCHEMA_VERSION } },
    );
  }
  for (const migration of MIGRATIONS) {
    // IMMEDIATE takes the write lock before re-reading the version, so two processes opening a
    // fresh file at once cannot both apply the same migration.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return current;
}
