/**
 * Human in the loop for runs started by magics: a workflow's `type: input` step asks the notebook
 * user through the cell's stdin channel (input_request / input_reply). The runtime records the
 * answer as the step's output, so resume and replay never ask again.
 *
 * In batch runs (nbconvert, or any frontend that sent allow_stdin=false) nobody can answer: the
 * step takes its `default`, and without one it fails with AR-INPUT-REQUIRED, which says so.
 */
import { InputRequiredError, type InputHandler } from '../../runtime/index.js';
import { StdinNotAllowedError } from '../output/execute-sink.js';
import type { OutputSink } from '../output/sink.js';

/** Stops waiting for an answer when the step's signal aborts (interrupt, step timeout). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

export function notebookInputHandler(sink: OutputSink): InputHandler {
  return async (request) => {
    const hint = request.default !== undefined && !request.password ? ` [${request.default}]` : '';
    let answer: string;
    try {
      answer = await untilAborted(
        sink.input(`${request.prompt}${hint} `, request.password),
        request.signal,
      );
    } catch (error) {
      if (!(error instanceof StdinNotAllowedError)) throw error;
      if (request.default !== undefined) return request.default;
      throw new InputRequiredError(request.stepId, request.prompt);
    }
    // An empty line takes the default, as terminals do.
    return answer === '' && request.default !== undefined ? request.default : answer;
  };
}
