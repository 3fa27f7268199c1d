/**
 * Records a run of a project workflow in a child Node process. Project functions are TypeScript
 * modules loaded through tsx's loader hooks, which cannot be registered inside Jest's sandbox, so
 * the run happens where users run it: a plain node process executing the compiled runtime.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { JsonObject } from '../../../../runtime/json.js';
import type { RunStatus } from '../../../../runtime/store/run-store.js';
import { distDir, repoRoot } from '../../../helpers/paths.js';

const run = promisify(execFile);

export interface RecordedRun {
  runId: string;
  status: RunStatus;
  outputs: JsonObject;
}

const SCRIPT = `
const [apiUrl, storeUrl, file, db, inputs, cwd] = process.argv.slice(1);
const { runWorkflow } = await import(apiUrl);
const { SqliteRunStore } = await import(storeUrl);
const store = new SqliteRunStore(db);
try {
  const r = await runWorkflow(file, { store, cwd, inputs: JSON.parse(inputs) });
  process.stdout.write(JSON.stringify({ runId: r.runId, status: r.status, outputs: r.outputs }));
} finally {
  await store.close();
}
`;

export async function recordInChild(
  workflowFile: string,
  db: string,
  inputs: JsonObject = {},
): Promise<RecordedRun> {
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      SCRIPT,
      pathToFileURL(path.join(distDir, 'runtime', 'api.js')).href,
      pathToFileURL(path.join(distDir, 'runtime', 'store', 'sqlite-store.js')).href,
      path.resolve(repoRoot, workflowFile),
      db,
      JSON.stringify(inputs),
      repoRoot,
    ],
    { cwd: repoRoot },
  );
  return JSON.parse(stdout) as RecordedRun;
}
