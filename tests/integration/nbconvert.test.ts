/**
 * The tslab-style notebook in notebooks/ executes unchanged under `jupyter nbconvert --execute`
 * with the installed kernel, and its outputs carry no error.
 */
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { executeNotebook, installKernelIntoTempPrefix } from './python-suite.js';

interface NotebookOutput {
  output_type: string;
  ename?: string;
}
interface Notebook {
  cells: { cell_type: string; outputs?: NotebookOutput[] }[];
}

const notebook = path.join(repoRoot, 'notebooks', 'tslab-compat.ipynb');

test('notebooks/tslab-compat.ipynb executes with nbconvert', () => {
  const kernel = installKernelIntoTempPrefix();
  const r = executeNotebook(kernel, path.dirname(notebook), path.basename(notebook), {
    outDir: kernel.dir,
  });
  if (r.status !== 0) throw new Error(`nbconvert failed (${r.status}):\n${r.stderr}`);
  const executed = r.notebook as Notebook;
  const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
  expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
  expect(outputs.length).toBeGreaterThan(0);
}, 150_000);
