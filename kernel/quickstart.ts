/**
 * `agentkernel quickstart`: the README's main job. Registers the kernel for the current user and
 * executes notebooks/quickstart.ipynb with `jupyter nbconvert --execute`, then says where the
 * executed notebook is. When Jupyter is missing it says how to install it and, so the user still
 * sees the runtime work, runs the branching sample workflow from the command line instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const JUPYTER_HELP = `Jupyter (nbconvert) was not found on PATH. Install it, then run this again:
  Debian/Ubuntu:  sudo apt-get install jupyter-client jupyter-nbconvert python3-nbclient python3-notebook
  elsewhere:      python3 -m pip install jupyter_client nbconvert nbclient notebook
`;

function hasNbconvert(): boolean {
  const probe = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  return probe.status === 0;
}

export async function runQuickstart(args: string[]): Promise<number> {
  const notebook = path.resolve(args[0] ?? path.join(packageRoot, 'notebooks', 'quickstart.ipynb'));
  if (!existsSync(notebook)) {
    process.stderr.write(`quickstart: notebook not found: ${notebook}\n`);
    return 2;
  }
  const { installKernel, DISPLAY_NAME } = await import('./install.js');
  const specDir = installKernel({ location: { kind: 'user' } });
  process.stdout.write(`Registered the "${DISPLAY_NAME}" kernel in ${specDir}\n`);

  if (!hasNbconvert()) {
    process.stderr.write(JUPYTER_HELP);
    process.stdout.write('\nMeanwhile, the branching sample workflow from the command line:\n');
    const { runCli, processIO } = await import('../runtime/cli/main.js');
    await runCli(
      ['run', path.join(packageRoot, 'workflows', 'branching_triage.yaml')],
      processIO(),
    );
    return 1;
  }

  const outName = path.basename(notebook, '.ipynb') + '.executed.ipynb';
  const outDir = path.dirname(notebook);
  process.stdout.write(`Executing ${path.relative(process.cwd(), notebook) || notebook} …\n`);
  const run = spawnSync(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.kernel_name=agentkernel',
      '--ExecutePreprocessor.timeout=300',
      '--output-dir',
      outDir,
      '--output',
      outName,
      notebook,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (run.status !== 0) {
    process.stderr.write(`quickstart: nbconvert failed (exit ${run.status ?? run.signal})\n`);
    return 1;
  }
  process.stdout.write(
    `\nExecuted notebook: ${path.join(outDir, outName)}\n` +
      `Open it with \`jupyter notebook ${path.join(outDir, outName)}\`, or pick the ` +
      `"${DISPLAY_NAME}" kernel in JupyterLab, Notebook or VS Code.\n`,
  );
  return 0;
}
