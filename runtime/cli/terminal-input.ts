/**
 * Answers `type: input` steps on the terminal for `agentkernel run` / `resume`: asks on stderr
 * (stdout may carry --json) and reads one line from stdin. Only when stdin is a TTY: a piped or
 * closed stdin means batch mode, where input steps use their default or fail with
 * AR-INPUT-REQUIRED instead of hanging or eating piped data.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { InputHandler, InputRequest } from '../steps/input-step.js';
import type { CliIO } from './command.js';

/** The handler for this terminal, or undefined when nobody is there to answer. */
export function terminalInputHandler(io: CliIO): InputHandler | undefined {
  const stdin = io.stdin ?? process.stdin;
  if ((stdin as { isTTY?: boolean }).isTTY !== true) return undefined;
  return (request) => askLine(stdin, io, request);
}

function askLine(stdin: NodeJS.ReadableStream, io: CliIO, request: InputRequest): Promise<string> {
  // Echo goes through `io.stderr`; muted while a password is typed so it never shows.
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!muted) io.stderr(chunk.toString());
      done();
    },
  });
  const rl = createInterface({ input: stdin, output, terminal: true });
  const hint =
    request.default !== undefined ? ` [${request.password ? '***' : request.default}]` : '';
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (act: () => void): void => {
      if (settled) return;
      settled = true;
      request.signal.removeEventListener('abort', onAbort);
      rl.close();
      if (request.password) io.stderr('\n');
      act();
    };
    const onAbort = (): void => finish(() => reject(request.signal.reason));
    request.signal.addEventListener('abort', onAbort, { once: true });
    // End of input (Ctrl-D) with a default takes it; without one the step fails, it never hangs.
    rl.once('close', () =>
      finish(() =>
        request.default !== undefined
          ? resolve(request.default)
          : reject(new Error(`No answer for step '${request.stepId}': input ended`)),
      ),
    );
    rl.question(`${request.prompt}${hint}: `, (answer) => {
      finish(() =>
        resolve(answer === '' && request.default !== undefined ? request.default : answer),
      );
    });
    muted = request.password;
    if (request.signal.aborted) onAbort();
  });
}
