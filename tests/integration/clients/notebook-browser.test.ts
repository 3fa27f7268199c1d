/**
 * A person in a browser: headless Debian Chromium, driven by playwright-core, opens a notebook in
 * the classic Notebook 6 UI served on 127.0.0.1, runs a `%workflow` cell with Shift+Enter and
 * watches the live progress table appear and complete. The final page is kept as a screenshot in
 * tests/artifacts/ (git-ignored) for a human to look at.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../../helpers/paths.js';
import { installKernelIntoTempPrefix, type KernelEnv } from '../python-suite.js';
import { scratchNotebooksCopy, startJupyterServer, type RunningServer } from './jupyter-server.js';

const artifactsDir = path.join(repoRoot, 'tests', 'artifacts');
const NOTEBOOK = 'browser-run.ipynb';
// `fetch` waits long enough that the table is certainly seen RUNNING before it completes.
const CELL = `%%workflow --name browser-demo
inputs:
  issue: {default: "Checkout is slow in the EU region"}
steps:
  - {id: fetch, type: function, function: quickstart.wait, inputs: {ms: 1500}}
  - {id: normalize, type: function, function: quickstart.normalize, inputs: {issue: inputs.issue}}
  - {id: summarize, type: function, function: quickstart.summarize, inputs: {text: steps.normalize.text, words: steps.normalize.words}}`;

function notebookJson(source: string): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'agentkernel',
        display_name: 'TypeScript (agentkernel)',
        language: 'typescript',
      },
    },
    cells: [
      {
        cell_type: 'code',
        id: 'run-cell',
        metadata: {},
        execution_count: null,
        outputs: [],
        source,
      },
    ],
  });
}

let kernel: KernelEnv | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (kernel) rmSync(kernel.dir, { recursive: true, force: true });
}, 60_000);

test('classic Notebook UI: Shift+Enter on a %workflow cell shows the progress table live until COMPLETED', async () => {
  kernel = installKernelIntoTempPrefix();
  const rootDir = scratchNotebooksCopy(kernel, 'browser');
  writeFileSync(path.join(rootDir, NOTEBOOK), notebookJson(CELL));
  server = await startJupyterServer('notebook', kernel, rootDir);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // playwright adds --headless and --no-sandbox itself and always uses a fresh temporary
    // profile (it refuses --user-data-dir in args); the rest keeps Chromium off the network.
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(`${server.baseUrl}notebooks/${NOTEBOOK}?token=${server.token}`);

  // The page starts our kernel from the notebook's metadata; wait until it is connected and idle.
  // (A string runs in the page; this project compiles without the DOM typings.)
  await page.waitForFunction(
    'window.Jupyter?.notebook?.kernel?.is_connected() === true',
    undefined,
    {
      timeout: 60_000,
    },
  );
  await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 60_000 });
  expect(await page.textContent('.kernel_indicator_name')).toContain('TypeScript (agentkernel)');

  await page.click('.cell .CodeMirror');
  await page.keyboard.press('Shift+Enter');

  // Live: the table is there while the first step is still running…
  const runView = page.locator('.output_area .agentkernel-run');
  await runView.filter({ hasText: /fetch.*RUNNING/s }).waitFor({ timeout: 30_000 });
  // …and the same display is updated in place until the run completes.
  await runView
    .locator('> div')
    .first()
    .filter({ hasText: /browser-demo@v1.*COMPLETED/s })
    .waitFor({ timeout: 30_000 });
  await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 30_000 });

  expect(await runView.count()).toBe(1);
  const rows = runView.locator('tbody tr');
  expect(await rows.locator('td:nth-child(1) code').allTextContents()).toEqual([
    'fetch',
    'normalize',
    'summarize',
  ]);
  for (const status of await rows.locator('td:nth-child(3)').allTextContents()) {
    expect(status).toContain('COMPLETED');
  }
  expect(await runView.textContent()).toContain('summarizing 7 words');
  // The cell's result (execute_result) is rendered below the table.
  expect(await page.locator('.output_area').last().textContent()).toContain(
    'Issue: Checkout is slow in the EU region',
  );
  expect(await page.textContent('.input_prompt')).toMatch(/\[1\]/);

  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, 'notebook-workflow.png'), fullPage: true });
}, 120_000);
