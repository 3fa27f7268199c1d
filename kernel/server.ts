/**
 * The kernel's dispatcher (ipykernel kernelbase.py's shape): decode and verify every message,
 * look its msg_type up in the shell table (control = shell + control-only types), and run the
 * handler inside one wrapper that publishes `busy`, turns a thrown error into an error reply, and
 * publishes `idle` in `finally` (after everything the request produced, since IOPub is one
 * ordered queue). execute_requests run one at a time from their own queue; every other request is
 * answered at once, even while an async cell runs. Unknown types and malformed frames are logged
 * and survived.
 */
import type { CellEngine } from './cells/types.js';
import { CommRegistry } from './handlers/comm.js';
import { handleCommClose, handleCommInfo, handleCommMsg, handleCommOpen } from './handlers/comm.js';
import { handleComplete } from './handlers/complete.js';
import type {
  Handler,
  HandlerTable,
  KernelServices,
  ReplyChannel,
  RequestContext,
} from './handlers/context.js';
import { handleInterrupt, handleShutdown } from './handlers/control.js';
import { ExecutionState, handleExecute } from './handlers/execute.js';
import { handleHistory } from './handlers/history.js';
import { handleInspect } from './handlers/inspect.js';
import { handleIsComplete } from './handlers/is-complete.js';
import { handleKernelInfo } from './handlers/kernel-info.js';
import type { History } from './history.js';
import {
  isType,
  isUnknown,
  type AnyMessage,
  type Message,
  type MsgType,
} from './protocol/messages.js';
import type { Session } from './protocol/session.js';
import { decode, encode, type OutgoingParts, type Signer } from './protocol/wire.js';
import type { OutputSink } from './output/sink.js';

export type OutChannel = 'shell' | 'control' | 'stdin' | 'iopub';

/** Where encoded frames go: the sockets in production, a recorder in unit tests. */
export interface FrameTransport {
  /**
   * `defer`: the message may wait for the next one that is not deferred (at most one event-loop
   * turn), so that it crosses threads together with it. Set for replies and results, which the
   * request's `idle` follows at once; never for output a running cell produces.
   */
  send(channel: OutChannel, frames: Buffer[], options?: { defer?: boolean }): void;
}

/** Messages that `idle` follows within microtasks: they may travel with it (FrameTransport). */
const DEFERRABLE = new Set<string>(['execute_result']);
const isDeferrable = (type: string): boolean => type.endsWith('_reply') || DEFERRABLE.has(type);

export const SHELL_HANDLERS: HandlerTable = {
  kernel_info_request: handleKernelInfo,
  complete_request: handleComplete,
  inspect_request: handleInspect,
  is_complete_request: handleIsComplete,
  history_request: handleHistory,
  comm_info_request: handleCommInfo,
  comm_open: handleCommOpen,
  comm_msg: handleCommMsg,
  comm_close: handleCommClose,
};

export const CONTROL_HANDLERS: HandlerTable = {
  ...SHELL_HANDLERS,
  shutdown_request: handleShutdown,
  interrupt_request: handleInterrupt,
};

export class StdinInterruptedError extends Error {
  override name = 'StdinInterrupted';
  constructor() {
    super('Input request cancelled: the kernel was interrupted');
  }
}

export interface KernelServerOptions {
  session: Session;
  signer: Signer;
  transport: FrameTransport;
  loadEngine: () => Promise<CellEngine>;
  history: History;
  log: (text: string) => void;
  /** Called once the shutdown reply is queued; the process owner flushes and exits. */
  onShutdown: (restart: boolean) => void;
  /**
   * Background preparation started once the cell engine has loaded, at a moment no cell runs
   * (the workflow runtime and the sync bridge's worker, so the first runWorkflowSync is warm).
   * Failures are logged, never fatal.
   */
  warmUp?: () => Promise<void>;
}

type QueuedExecute = { channel: ReplyChannel; msg: Message<'execute_request'> };

/** How long after a stop_on_error failure late-arriving, earlier-sent requests are aborted. */
const ABORT_WINDOW_MS = 1000;

export class KernelServer implements KernelServices {
  readonly comms = new CommRegistry();
  readonly history: History;
  readonly execution = new ExecutionState();
  private readonly executeQueue: QueuedExecute[] = [];
  private executing = false;
  private abortWindow: { failedAt: number; until: number } | undefined;
  private enginePromise: Promise<CellEngine> | undefined;
  private pendingInput: { resolve(value: string): void; reject(e: Error): void } | undefined;
  private warmupScheduled = false;

  constructor(private readonly options: KernelServerOptions) {
    this.history = options.history;
  }

  /** Publishes `starting`, as a kernel does once its sockets are bound. */
  start(): void {
    this.sendMsg(
      'iopub',
      this.options.session.broadcast(undefined, 'status', { execution_state: 'starting' }),
    );
  }

  log(text: string): void {
    this.options.log(text.endsWith('\n') ? text : `${text}\n`);
  }

  engine(): Promise<CellEngine> {
    this.enginePromise ??= this.options.loadEngine();
    return this.enginePromise;
  }

  /** The sink of the running cell, else the last one: where stray async errors are reported. */
  get lastSink(): OutputSink | undefined {
    return this.execution.lastSink;
  }

  /** One multipart message from shell, control or stdin. Never throws. */
  receive(channel: 'shell' | 'control' | 'stdin', frames: Buffer[]): void {
    const decoded = decode(frames, this.options.signer);
    if (!decoded.ok) {
      this.log(`${channel}: dropped message (${decoded.reason}: ${decoded.detail})`);
      return;
    }
    const msg = decoded.message;
    if (isUnknown(msg)) {
      this.log(`${channel}: unknown or invalid message type '${msg.header.msg_type}' (ignored)`);
      return;
    }
    if (channel === 'stdin') {
      this.receiveStdin(msg);
      return;
    }
    if (isType(msg, 'execute_request')) {
      this.enqueueExecute({ channel, msg });
      return;
    }
    const table = channel === 'control' ? CONTROL_HANDLERS : SHELL_HANDLERS;
    this.dispatch(channel, table, msg).catch((e: unknown) =>
      this.log(`${channel}: dispatch failed: ${String(e)}`),
    );
  }

  /**
   * The socket worker answered an interrupt_request and raised SIGINT, which is what
   * cancels the cell (breakOnSigint, or the SIGINT listener's `interrupt()`); this only brackets
   * the request on IOPub. It must not cancel anything itself: by the time this message is read,
   * the interrupted cell may be over and the next one running.
   */
  receiveInterrupted(frames: Buffer[]): void {
    const decoded = decode(frames, this.options.signer);
    if (!decoded.ok || isUnknown(decoded.message)) return;
    const ctx = this.context('control', decoded.message);
    ctx.publish('status', { execution_state: 'busy' });
    ctx.publish('status', { execution_state: 'idle' });
  }

  interrupt(): void {
    this.execution.interrupt();
    const pending = this.pendingInput;
    this.pendingInput = undefined;
    pending?.reject(new StdinInterruptedError());
  }

  shutdown(restart: boolean): void {
    // Let the handler's idle be queued before the owner flushes and exits.
    setImmediate(() => this.options.onShutdown(restart));
  }

  requestInput(
    parent: Message<'execute_request'>,
    prompt: string,
    password: boolean,
  ): Promise<string> {
    // One pending request at a time, as in ipykernel: a newer request supersedes the old one.
    this.pendingInput?.reject(new Error('Input request superseded by a newer one'));
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      this.sendMsg(
        'stdin',
        this.options.session.reply(parent, 'input_request', { prompt, password }),
      );
    });
  }

  private receiveStdin(msg: AnyMessage): void {
    if (!isType(msg, 'input_reply')) {
      this.log(`stdin: unexpected ${msg.header.msg_type} (ignored)`);
      return;
    }
    const pending = this.pendingInput;
    this.pendingInput = undefined;
    if (pending) pending.resolve(msg.content.value);
    else this.log('stdin: input_reply with no pending input_request (ignored)');
  }

  private enqueueExecute(item: QueuedExecute): void {
    this.executeQueue.push(item);
    if (!this.executing) {
      this.runExecuteQueue().catch((e: unknown) => this.log(`execute queue failed: ${String(e)}`));
    }
  }

  private async runExecuteQueue(): Promise<void> {
    this.executing = true;
    try {
      for (let item = this.executeQueue.shift(); item; item = this.executeQueue.shift()) {
        const { channel, msg } = item;
        if (this.shouldAbort(msg)) {
          await this.bracket(channel, msg, (ctx) => this.replyAborted(ctx));
          continue;
        }
        const result: { status: 'ok' | 'error' } = { status: 'ok' };
        await this.bracket(channel, msg, async (ctx) => {
          result.status = await handleExecute(ctx, this, this.execution);
        });
        if (result.status === 'error' && msg.content.stop_on_error) this.startAbortWindow();
      }
    } finally {
      this.executing = false;
    }
  }

  /**
   * stop_on_error: the execute_requests sent before the failure are answered `status: aborted`,
   * unrun. Which ones those are is decided by their header date, not by queue position: a request
   * sent in answer to the error reply can already be queued when this runs, and must run, while
   * requests sent earlier may still sit in zeromq's buffer (a cell that blocked the loop kept the
   * reader from running) and arrive only later. So for a short window (like ipykernel's
   * `_abort_queues` + stop-aborting callback) the queue loop aborts every request dated before the
   * error reply.
   */
  private startAbortWindow(): void {
    const failedAt = this.execution.lastErrorReplyAt;
    this.abortWindow = { failedAt, until: Date.now() + ABORT_WINDOW_MS };
  }

  private shouldAbort(msg: Message<'execute_request'>): boolean {
    const window = this.abortWindow;
    if (!window || Date.now() > window.until) return false;
    const sentAt = Date.parse(msg.header.date);
    return Number.isNaN(sentAt) || sentAt < window.failedAt;
  }

  private replyAborted(ctx: RequestContext<'execute_request'>): void {
    const failedAt = this.abortWindow ? new Date(this.abortWindow.failedAt).toISOString() : 'n/a';
    this.log(
      `aborting execute_request ${ctx.msg.header.msg_id} (sent ${ctx.msg.header.date}) after an error at ${failedAt}`,
    );
    ctx.reply('execute_reply', { status: 'aborted' });
  }

  private async dispatch(
    channel: ReplyChannel,
    table: HandlerTable,
    msg: AnyMessage,
  ): Promise<void> {
    // The table's mapped type pairs each msg_type with its handler; indexing by a union loses
    // that pairing, so it is restored here, once, instead of at every call site.
    const handler = table[msg.header.msg_type] as Handler<typeof msg.header.msg_type> | undefined;
    if (!handler) {
      this.log(`${channel}: no handler for '${msg.header.msg_type}' (ignored)`);
      return;
    }
    await this.bracket(channel, msg, (ctx) => handler(ctx, this));
    if (msg.header.msg_type === 'kernel_info_request') this.warmEngineSoon();
  }

  /**
   * Loads the cell engine (and the TypeScript compiler with it) just after the first
   * kernel_info_reply went out, so start-up stays fast and the first cell does not pay for it.
   */
  private warmEngineSoon(): void {
    if (this.warmupScheduled || this.enginePromise) return;
    this.warmupScheduled = true;
    setTimeout(() => {
      this.engine().then(
        () => this.warmUpWhenIdle(),
        (e: unknown) => this.log(`cell engine failed to load: ${String(e)}`),
      );
    }, 20).unref();
  }

  /** Runs `options.warmUp` between cells: loading modules blocks the loop a cell may be using. */
  private warmUpWhenIdle(): void {
    const warmUp = this.options.warmUp;
    if (!warmUp) return;
    if (this.executing) {
      setTimeout(() => this.warmUpWhenIdle(), 50).unref();
      return;
    }
    warmUp().catch((e: unknown) => this.log(`warm-up failed: ${String(e)}`));
  }

  /** busy → handler → idle, with a thrown handler error turned into an error reply. */
  private async bracket<K extends MsgType>(
    channel: ReplyChannel,
    msg: Message<K>,
    run: (ctx: RequestContext<K>) => Promise<void> | void,
  ): Promise<void> {
    const ctx = this.context(channel, msg);
    // `busy` may travel with what follows it (execute_input, or the reply and idle): the handler
    // reaches no user code before a microtask turn. A silent execute publishes nothing before
    // its cell runs, and that cell may block the thread, so its busy goes out at once.
    const silentCell = isType(msg, 'execute_request') && msg.content.silent;
    this.sendMsg(
      'iopub',
      this.options.session.broadcast(msg.header, 'status', { execution_state: 'busy' }),
      !silentCell,
    );
    try {
      await run(ctx);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log(`${channel}: ${msg.header.msg_type} failed: ${err.stack ?? err.message}`);
      if (msg.header.msg_type.endsWith('_request')) {
        const traceback = (err.stack ?? err.message).split('\n');
        this.sendMsg(
          channel,
          this.options.session.errorReply(msg, { ename: err.name, evalue: err.message, traceback }),
        );
      }
    } finally {
      ctx.publish('status', { execution_state: 'idle' });
    }
  }

  private context<K extends MsgType>(channel: ReplyChannel, msg: Message<K>): RequestContext<K> {
    const { session } = this.options;
    return {
      msg,
      channel,
      reply: (type, content, metadata) =>
        this.sendMsg(channel, session.reply(msg, type, content, metadata)),
      publish: (type, content) =>
        this.sendMsg('iopub', session.broadcast(msg.header, type, content)),
    };
  }

  private sendMsg(channel: OutChannel, parts: OutgoingParts, defer?: boolean): void {
    const type = (parts.header as { msg_type?: unknown }).msg_type;
    this.options.transport.send(channel, encode(parts, this.options.signer), {
      defer: defer ?? (typeof type === 'string' && isDeferrable(type)),
    });
  }
}
