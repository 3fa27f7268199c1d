import { Console } from 'node:console';
import { installStreamCapture } from '../../../kernel/output/streams.js';
import { ExecuteSink, StdinNotAllowedError } from '../../../kernel/output/execute-sink.js';
import { outputContext } from '../../../kernel/output/sink.js';

type Published = { type: string; content: unknown };

function sink(published: Published[], options: { silent?: boolean } = {}) {
  return new ExecuteSink((type, content) => published.push({ type, content }), {
    silent: options.silent ?? false,
  });
}

describe('stream capture', () => {
  test('stdout/stderr writes and console.* inside a cell context go to that cell; late timers too', async () => {
    const a: Published[] = [];
    const b: Published[] = [];
    const capture = installStreamCapture();
    // jest swaps the global console for its own; a Node Console writes through process streams
    // exactly as the kernel's global console does.
    const console = new Console({ stdout: process.stdout, stderr: process.stderr });
    try {
      const sa = sink(a);
      const sb = sink(b);
      let fired!: () => void;
      const late = new Promise<void>((r) => (fired = r));
      outputContext.run(sa, () => {
        process.stdout.write('one ');
        console.log('two');
        console.error('err');
        setTimeout(() => {
          console.log('late for a');
          fired();
        }, 5);
      });
      outputContext.run(sb, () => process.stdout.write(Buffer.from('for b\n')));
      await late;
      sa.flush();
      sb.flush();
      expect(a).toEqual([
        { type: 'stream', content: { name: 'stdout', text: 'one two\n' } },
        { type: 'stream', content: { name: 'stderr', text: 'err\n' } },
        { type: 'stream', content: { name: 'stdout', text: 'late for a\n' } },
      ]);
      expect(b).toEqual([{ type: 'stream', content: { name: 'stdout', text: 'for b\n' } }]);
    } finally {
      capture.restore();
    }
  });

  test('a multi-byte character split across writes stays whole', () => {
    const out: Published[] = [];
    const capture = installStreamCapture();
    try {
      const s = sink(out);
      const euro = Buffer.from('€');
      outputContext.run(s, () => {
        process.stdout.write(euro.subarray(0, 1));
        process.stdout.write(euro.subarray(1));
      });
      s.flush();
    } finally {
      capture.restore();
    }
    expect(out).toEqual([{ type: 'stream', content: { name: 'stdout', text: '€' } }]);
  });

  test('silent sinks drop everything; input without allow_stdin rejects clearly', async () => {
    const out: Published[] = [];
    const s = sink(out, { silent: true });
    s.stream('stdout', 'x');
    s.display({ 'text/plain': 'y' });
    s.clearOutput(false);
    s.flush();
    expect(out).toEqual([]);
    await expect(s.input('name?', false)).rejects.toBeInstanceOf(StdinNotAllowedError);
  });

  test('display with a display id, and update_display_data', () => {
    const out: Published[] = [];
    const s = sink(out);
    s.display({ 'text/plain': 'v1' }, { displayId: 'd1' });
    s.display({ 'text/plain': 'v2' }, { displayId: 'd1', update: true });
    s.clearOutput(true);
    expect(out).toEqual([
      {
        type: 'display_data',
        content: { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd1' } },
      },
      {
        type: 'update_display_data',
        content: { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: 'd1' } },
      },
      { type: 'clear_output', content: { wait: true } },
    ]);
  });
});
