/**
 * Drives a KernelServer in-process: requests go in as signed frames, everything the server sends
 * is decoded back. The CellEngine here is a small scripted double (a protocol-layer unit test
 * must not depend on the TypeScript engine); the integration tests use the real one.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { CellEngine, ExecuteOutcome } from '../../../kernel/cells/types.js';
import { currentSink } from '../../../kernel/output/sink.js';
import { History } from '../../../kernel/history.js';
import type { Header, JsonDict } from '../../../kernel/protocol/messages.js';
import { Session } from '../../../kernel/protocol/session.js';
import { DELIMITER, Signer, encode } from '../../../kernel/protocol/wire.js';
import { KernelServer, type OutChannel } from '../../../kernel/server.js';

export const KEY = 'test-key';

export interface Sent {
  channel: OutChannel;
  identities: string[];
  header: Header;
  parent_header: Partial<Header>;
  content: JsonDict;
}

/**
 * Scripted cells: `print <text>`, `eprint <text>`, `value <text>`, `fail <message>`,
 * `wait` (pends until released or aborted), `ask <prompt>` (input), `late <text>` (prints after
 * the cell finished), `sleep` (one macrotask).
 */
export class ScriptedEngine implements CellEngine {
  readonly executed: string[] = [];
  private releases: (() => void)[] = [];
  /** Releases that came before their `wait` cell started (the server may not have reached it). */
  private earlyReleases = 0;

  /** Lets every pending `wait` cell finish, or the next one if none has started yet. */
  release(): void {
    if (this.releases.length === 0) this.earlyReleases += 1;
    for (const r of this.releases.splice(0)) r();
  }

  async execute(
    code: string,
    options: { signal: AbortSignal; silent: boolean },
  ): Promise<ExecuteOutcome> {
    this.executed.push(code);
    const sink = currentSink();
    const [cmd, ...rest] = code.split(' ');
    const arg = rest.join(' ');
    switch (cmd) {
      case 'print':
        sink?.stream('stdout', `${arg}\n`);
        return { status: 'ok' };
      case 'eprint':
        sink?.stream('stderr', `${arg}\n`);
        return { status: 'ok' };
      case 'value':
        return { status: 'ok', result: { data: { 'text/plain': arg }, metadata: {} } };
      case 'fail':
        return { status: 'error', ename: 'Error', evalue: arg, traceback: [`Error: ${arg}`] };
      case 'throw':
        throw new Error(arg);
      case 'sleep':
        await new Promise((r) => setTimeout(r, 5));
        return { status: 'ok' };
      case 'wait':
        if (this.earlyReleases > 0) {
          this.earlyReleases -= 1;
          return { status: 'ok' };
        }
        return new Promise((resolve) => {
          this.releases.push(() => resolve({ status: 'ok' }));
          options.signal.addEventListener('abort', () =>
            resolve({
              status: 'error',
              ename: 'Interrupted',
              evalue: 'interrupted',
              traceback: [],
            }),
          );
        });
      case 'ask': {
        try {
          const answer = await sink!.input(arg, false);
          return {
            status: 'ok',
            result: { data: { 'text/plain': `got ${answer}` }, metadata: {} },
          };
        } catch (e) {
          return {
            status: 'error',
            ename: (e as Error).name,
            evalue: (e as Error).message,
            traceback: [],
          };
        }
      }
      case 'late':
        setTimeout(() => currentSink()?.stream('stdout', `${arg}\n`), 1);
        return { status: 'ok' };
      default:
        return { status: 'ok' };
    }
  }

  async evaluateExpression(expression: string): Promise<ExecuteOutcome> {
    if (expression.startsWith('bad'))
      return {
        status: 'error',
        ename: 'ReferenceError',
        evalue: `${expression} is not defined`,
        traceback: [],
      };
    return { status: 'ok', result: { data: { 'text/plain': `<${expression}>` }, metadata: {} } };
  }

  async complete(_code: string, cursorPos: number) {
    return {
      matches: ['alpha', 'alphabet'],
      cursorStart: Math.max(0, cursorPos - 2),
      cursorEnd: cursorPos,
      metadata: {},
    };
  }

  async inspect(code: string) {
    return { found: code.length > 0, data: { 'text/plain': `doc of ${code}` }, metadata: {} };
  }

  isComplete(code: string) {
    return code.endsWith('{')
      ? { status: 'incomplete' as const, indent: '  ' }
      : { status: 'complete' as const };
  }
}

export class Harness {
  readonly sent: Sent[] = [];
  readonly engine = new ScriptedEngine();
  readonly client = new Session({ id: 'client-session', username: 'tester' });
  readonly signer = new Signer(KEY);
  readonly logs: string[] = [];
  readonly historyFile: string;
  shutdowns: boolean[] = [];
  server: KernelServer;
  private waiters: (() => void)[] = [];

  constructor(historyFile?: string) {
    this.historyFile =
      historyFile ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'ak-hist-')), 'history.jsonl');
    this.server = new KernelServer({
      session: new Session({ id: 'kernel-session' }),
      signer: this.signer,
      transport: {
        send: (channel, frames) => {
          const at = frames.findIndex((f) => f.equals(DELIMITER));
          const [header, parent, , content] = frames
            .slice(at + 2, at + 6)
            .map((f) => JSON.parse(f.toString()) as JsonDict);
          this.sent.push({
            channel,
            identities: frames.slice(0, at).map(String),
            header: header as unknown as Header,
            parent_header: parent as Partial<Header>,
            content: content!,
          });
          for (const w of this.waiters.splice(0)) w();
        },
      },
      loadEngine: async () => this.engine,
      history: new History(this.historyFile),
      log: (t) => this.logs.push(t),
      onShutdown: (restart) => this.shutdowns.push(restart),
    });
  }

  /** Sends a request; returns its msg_id. */
  request(
    channel: 'shell' | 'control' | 'stdin',
    msgType: string,
    content: object,
    signer: Signer = this.signer,
  ): string {
    const header = { ...this.client.header('kernel_info_request'), msg_type: msgType };
    const frames = encode(
      { identities: [Buffer.from('peer')], header, parent_header: {}, metadata: {}, content },
      signer,
    );
    this.server.receive(channel, frames);
    return header.msg_id;
  }

  /** A shell request whose header carries the given send date. */
  requestWithDate(msgType: string, content: object, date: Date): string {
    const header = {
      ...this.client.header('kernel_info_request'),
      msg_type: msgType,
      date: date.toISOString(),
    };
    this.server.receive(
      'shell',
      encode(
        { identities: [Buffer.from('peer')], header, parent_header: {}, metadata: {}, content },
        this.signer,
      ),
    );
    return header.msg_id;
  }

  /** Replies to the last input_request. */
  inputReply(value: string): void {
    const req = [...this.sent].reverse().find((m) => m.header.msg_type === 'input_request');
    if (!req) throw new Error('no input_request sent');
    const header = this.client.header('input_reply');
    this.server.receive(
      'stdin',
      encode(
        {
          identities: [Buffer.from('peer')],
          header,
          parent_header: req.header,
          metadata: {},
          content: { value },
        },
        this.signer,
      ),
    );
  }

  /** Everything parented to `msgId`, in send order. */
  forRequest(msgId: string): Sent[] {
    return this.sent.filter((m) => m.parent_header.msg_id === msgId);
  }

  reply(msgId: string): Sent | undefined {
    return this.forRequest(msgId).find((m) => m.channel === 'shell' || m.channel === 'control');
  }

  iopubTypes(msgId: string): string[] {
    return this.forRequest(msgId)
      .filter((m) => m.channel === 'iopub')
      .map((m) =>
        m.header.msg_type === 'status'
          ? `status:${String(m.content['execution_state'])}`
          : m.header.msg_type,
      );
  }

  /** Resolves once `predicate` holds (re-checked on every send and every few ms). */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 2);
      });
    }
  }

  async idle(msgId: string): Promise<void> {
    await this.until(() => this.iopubTypes(msgId).includes('status:idle'));
  }
}
