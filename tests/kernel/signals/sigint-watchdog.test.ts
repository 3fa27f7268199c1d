/**
 * The SIGINT watchdog worker (kernel/signals/sigint-watchdog.ts), in real child processes sent real
 * signals: with it, a `breakOnSigint` evaluation starts no thread of its own, a busy loop is still
 * interrupted, a SIGINT between evaluations reaches `process.on('SIGINT')` listeners, and no
 * sequence of listener changes or burst of signals lets SIGINT kill the process.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir } from '../../helpers/paths.js';
import { runChild, writeScript, type ChildOutcome } from '../../runtime/sync/helpers/child.js';

const watchdogModule = pathToFileURL(path.join(distDir, 'kernel/signals/sigint-watchdog.js')).href;

/** Source of a child that starts the watchdog (unless `withWatchdog` is false) and then `body`. */
function child(body: string, withWatchdog = true): string {
  return `
import vm from 'node:vm';
import { readdirSync } from 'node:fs';
import { startSigintWatchdog } from ${JSON.stringify(watchdogModule)};
const say = (text) => process.stdout.write(text + '\\n');
const threads = () => readdirSync('/proc/self/task').length;
const watchdog = ${withWatchdog ? "await startSigintWatchdog({ onSigint: () => process.emit('SIGINT', 'SIGINT'), log: (t) => process.stderr.write(t) })" : '{ active: false, close: async () => {} }'};
let heard = 0;
const listener = () => say('listener ' + ++heard);
process.on('SIGINT', listener);
/** Announces \`label\` (a cue starting with "looping"), then spins until a SIGINT stops it. */
const busyLoop = (label) => {
  say(label);
  try { vm.runInThisContext('while (true) {}', { breakOnSigint: true }); } catch (e) { say('loop interrupted: ' + e.code); }
};
const waitFor = (n) => new Promise((resolve) => { const t = setInterval(() => { if (heard >= n) { clearInterval(t); resolve(); } }, 5); });
${body}
await watchdog.close();
say('exit');
`;
}

/** Sends SIGINT to the child each time its output shows a line starting with one of `cues`. */
function signalOn(cues: string[]) {
  const sent = new Set<string>();
  return (soFar: string, proc: { kill(signal: NodeJS.Signals): boolean }) => {
    for (const cue of cues) {
      if (sent.has(cue) || !soFar.split('\n').some((line) => line.startsWith(cue))) continue;
      sent.add(cue);
      // The child announces a busy loop just before entering it: give it a moment to get there.
      setTimeout(() => proc.kill('SIGINT'), cue.startsWith('looping') ? 100 : 0);
    }
  };
}

const lines = (outcome: ChildOutcome): string[] => outcome.stdout.trim().split('\n');

test('a breakOnSigint evaluation starts no thread of its own while the watchdog runs', async () => {
  const body = `
say('active ' + watchdog.active);
const inside = vm.runInNewContext('threads()', { threads }, { breakOnSigint: true });
say('extra threads during an evaluation: ' + (inside - threads()));
`;
  const withIt = await runChild(writeScript(child(body)));
  expect(withIt.stderr).toBe('');
  expect(lines(withIt)).toEqual(['active true', 'extra threads during an evaluation: 0', 'exit']);
  // The baseline the watchdog removes: Node starts (and joins) a helper thread per evaluation.
  const without = await runChild(writeScript(child(body, false)));
  expect(lines(without)).toEqual(['active false', 'extra threads during an evaluation: 1', 'exit']);
});

test('SIGINT stops a busy loop and, between evaluations, reaches the SIGINT listeners', async () => {
  const body = `
say('ready');
await waitFor(1);
busyLoop('looping 1');
say('ready again');
await waitFor(2);
`;
  const outcome = await runChild(writeScript(child(body)), {
    onStdout: signalOn(['ready', 'looping 1', 'ready again']),
  });
  expect(outcome.signal).toBeNull();
  expect(lines(outcome)).toEqual([
    'ready',
    'listener 1',
    'looping 1',
    'loop interrupted: ERR_SCRIPT_EXECUTION_INTERRUPTED',
    'ready again',
    'listener 2',
    'exit',
  ]);
});

test('SIGINT listeners added and removed by cells never make SIGINT fatal', async () => {
  // Without the watchdog's change to Node's signal hooks, removing the last SIGINT listener resets
  // SIGINT to its default action (exit), and the running helper thread never installs its handler
  // again; breakOnSigint removes and re-adds every listener around each evaluation.
  const body = `
const other = () => {};
process.on('SIGINT', other);
process.off('SIGINT', other);
process.removeAllListeners('SIGINT');
vm.runInThisContext('1 + 1', { breakOnSigint: true });
process.on('SIGINT', listener);
say('churned');
await waitFor(1);
busyLoop('looping after churn');
say('burst');
await waitFor(2);
await new Promise((resolve) => setTimeout(resolve, 300));
say('alive after burst');
`;
  const cues = signalOn(['churned', 'looping after churn']);
  let burstSent = false;
  const outcome = await runChild(writeScript(child(body)), {
    onStdout: (soFar, proc) => {
      cues(soFar, proc);
      if (!burstSent && soFar.includes('burst\n')) {
        burstSent = true;
        for (let i = 0; i < 20; i++) proc.kill('SIGINT');
      }
    },
  });
  expect(outcome.signal).toBeNull();
  expect(outcome.code).toBe(0);
  const out = lines(outcome);
  expect(out.slice(0, 4)).toEqual([
    'churned',
    'listener 1',
    'looping after churn',
    'loop interrupted: ERR_SCRIPT_EXECUTION_INTERRUPTED',
  ]);
  expect(out).toContain('alive after burst');
  expect(out[out.length - 1]).toBe('exit');
});
