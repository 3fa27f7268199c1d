/**
 * The typed Jupyter wire model (messaging protocol 5.3). One content interface per msg_type, a
 * `ContentByType` map keyed by msg_type, and `parseMessage`, the only place where untyped JSON
 * becomes a typed message: call sites switch on `msg.header.msg_type` and get the right content
 * type without casting. Anything we do not know stays an `UnknownMessage`.
 */
import type { MimeBundle } from '../output/sink.js';

export const PROTOCOL_VERSION = '5.3';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  /** ISO 8601 timestamp; mandatory since protocol 5.1. */
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export type JsonDict = Record<string, unknown>;

// ---- shell requests and replies ------------------------------------------------------------

export interface ExecuteRequest {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: Record<string, string>;
  allow_stdin: boolean;
  stop_on_error: boolean;
}

export type ErrorContent = { status: 'error'; ename: string; evalue: string; traceback: string[] };

/** A user expression result: a MIME bundle, or an error dict (messaging spec, execute_reply). */
export type UserExpressionResult =
  { status: 'ok'; data: MimeBundle; metadata: JsonDict } | ErrorContent;

export type ExecuteReply =
  | {
      status: 'ok';
      execution_count: number;
      payload: JsonDict[];
      user_expressions: Record<string, UserExpressionResult>;
    }
  | (ErrorContent & { execution_count: number })
  | { status: 'aborted'; execution_count?: number };

export interface CompleteRequest {
  code: string;
  cursor_pos: number;
}
export interface CompleteReply {
  status: 'ok';
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: JsonDict;
}

export interface InspectRequest {
  code: string;
  cursor_pos: number;
  detail_level: 0 | 1;
}
export interface InspectReply {
  status: 'ok';
  found: boolean;
  data: MimeBundle;
  metadata: JsonDict;
}

export interface IsCompleteRequest {
  code: string;
}
export type IsCompleteReply =
  | { status: 'complete' }
  | { status: 'incomplete'; indent: string }
  | { status: 'invalid' }
  | { status: 'unknown' };

export interface HistoryRequest {
  output: boolean;
  raw: boolean;
  hist_access_type: 'range' | 'tail' | 'search';
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}
/** [session, line, input] or, with output=true, [session, line, [input, output]]. */
export type HistoryEntry = [number, number, string] | [number, number, [string, string | null]];
export interface HistoryReply {
  status: 'ok';
  history: HistoryEntry[];
}

export type KernelInfoRequest = Record<string, never>;
export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode: string | JsonDict;
  pygments_lexer: string;
}
export interface KernelInfoReply {
  status: 'ok';
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  help_links: { text: string; url: string }[];
  debugger: boolean;
}

export interface CommInfoRequest {
  target_name?: string;
}
export interface CommInfoReply {
  status: 'ok';
  comms: Record<string, { target_name: string }>;
}
export interface CommOpen {
  comm_id: string;
  target_name: string;
  data: JsonDict;
  target_module?: string;
}
export interface CommMsg {
  comm_id: string;
  data: JsonDict;
}
export interface CommClose {
  comm_id: string;
  data: JsonDict;
}

// ---- control ------------------------------------------------------------------------------

export interface ShutdownRequest {
  restart: boolean;
}
export interface ShutdownReply {
  status: 'ok';
  restart: boolean;
}
export type InterruptRequest = Record<string, never>;
export interface InterruptReply {
  status: 'ok';
}

// ---- iopub --------------------------------------------------------------------------------

export interface StatusContent {
  execution_state: 'busy' | 'idle' | 'starting';
}
export interface StreamContent {
  name: 'stdout' | 'stderr';
  text: string;
}
export interface DisplayDataContent {
  data: MimeBundle;
  metadata: JsonDict;
  transient: JsonDict;
}
export interface ExecuteInputContent {
  code: string;
  execution_count: number;
}
export interface ExecuteResultContent {
  execution_count: number;
  data: MimeBundle;
  metadata: JsonDict;
}
export interface ErrorOutputContent {
  ename: string;
  evalue: string;
  traceback: string[];
}
export interface ClearOutputContent {
  wait: boolean;
}

// ---- stdin --------------------------------------------------------------------------------

export interface InputRequest {
  prompt: string;
  password: boolean;
}
export interface InputReply {
  value: string;
}

export interface ContentByType {
  execute_request: ExecuteRequest;
  execute_reply: ExecuteReply;
  complete_request: CompleteRequest;
  complete_reply: CompleteReply;
  inspect_request: InspectRequest;
  inspect_reply: InspectReply;
  is_complete_request: IsCompleteRequest;
  is_complete_reply: IsCompleteReply;
  history_request: HistoryRequest;
  history_reply: HistoryReply;
  kernel_info_request: KernelInfoRequest;
  kernel_info_reply: KernelInfoReply;
  comm_info_request: CommInfoRequest;
  comm_info_reply: CommInfoReply;
  comm_open: CommOpen;
  comm_msg: CommMsg;
  comm_close: CommClose;
  shutdown_request: ShutdownRequest;
  shutdown_reply: ShutdownReply;
  interrupt_request: InterruptRequest;
  interrupt_reply: InterruptReply;
  status: StatusContent;
  stream: StreamContent;
  display_data: DisplayDataContent;
  update_display_data: DisplayDataContent;
  execute_input: ExecuteInputContent;
  execute_result: ExecuteResultContent;
  error: ErrorOutputContent;
  clear_output: ClearOutputContent;
  input_request: InputRequest;
  input_reply: InputReply;
}

export type MsgType = keyof ContentByType;

export interface Message<T extends MsgType = MsgType> {
  /** ZeroMQ routing identities (ROUTER sockets) or the topic (IOPub), in front of `<IDS|MSG>`. */
  identities: Buffer[];
  header: Header & { msg_type: T };
  /** The request header this message answers, or `{}` for none. */
  parent_header: Header | Record<string, never>;
  metadata: JsonDict;
  content: ContentByType[T];
  buffers: Buffer[];
}

/** A well-formed message whose msg_type we do not handle (or whose content failed validation). */
export interface UnknownMessage {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: JsonDict;
  content: JsonDict;
  buffers: Buffer[];
  unknown: true;
}

/** A typed message of any known type: switch on `header.msg_type` to narrow `content`. */
export type AnyMessage = { [K in MsgType]: Message<K> }[MsgType];

export type IncomingMessage = AnyMessage | UnknownMessage;

export function isUnknown(msg: IncomingMessage): msg is UnknownMessage {
  return 'unknown' in msg;
}

function isDict(value: unknown): value is JsonDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const optNum = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/**
 * Normalises the content of the request types a kernel receives, filling the spec's defaults
 * (`store_history = !silent`, `stop_on_error = true`…). Returns undefined for types a kernel only
 * sends; those come through as UnknownMessage.
 */
function normaliseIncoming(
  type: string,
  c: JsonDict,
): { [K in MsgType]?: ContentByType[K] }[MsgType] | undefined {
  switch (type) {
    case 'execute_request': {
      if (typeof c['code'] !== 'string') return undefined;
      const silent = bool(c['silent'], false);
      const exprs: Record<string, string> = {};
      if (isDict(c['user_expressions'])) {
        for (const [k, v] of Object.entries(c['user_expressions']))
          if (typeof v === 'string') exprs[k] = v;
      }
      return {
        code: c['code'],
        silent,
        // Spec: silent=True forces store_history to False.
        store_history: silent ? false : bool(c['store_history'], true),
        user_expressions: exprs,
        allow_stdin: bool(c['allow_stdin'], true),
        stop_on_error: bool(c['stop_on_error'], true),
      } satisfies ExecuteRequest;
    }
    case 'complete_request':
    case 'inspect_request': {
      const code = str(c['code']);
      const base = {
        code,
        cursor_pos: Math.max(0, Math.min(code.length, num(c['cursor_pos'], code.length))),
      };
      if (type === 'complete_request') return base satisfies CompleteRequest;
      return { ...base, detail_level: c['detail_level'] === 1 ? 1 : 0 } satisfies InspectRequest;
    }
    case 'is_complete_request':
      return { code: str(c['code']) } satisfies IsCompleteRequest;
    case 'history_request': {
      const access = c['hist_access_type'];
      const h: HistoryRequest = {
        output: bool(c['output'], false),
        raw: bool(c['raw'], true),
        hist_access_type: access === 'range' || access === 'search' ? access : 'tail',
        unique: bool(c['unique'], false),
      };
      const session = optNum(c['session']);
      const start = optNum(c['start']);
      const stop = optNum(c['stop']);
      const n = optNum(c['n']);
      if (session !== undefined) h.session = session;
      if (start !== undefined) h.start = start;
      if (stop !== undefined) h.stop = stop;
      if (n !== undefined) h.n = n;
      if (typeof c['pattern'] === 'string') h.pattern = c['pattern'];
      return h;
    }
    case 'kernel_info_request':
    case 'interrupt_request':
      return {} as Record<string, never>;
    case 'comm_info_request':
      return typeof c['target_name'] === 'string' ? { target_name: c['target_name'] } : {};
    case 'comm_open': {
      if (typeof c['comm_id'] !== 'string') return undefined;
      const open: CommOpen = {
        comm_id: c['comm_id'],
        target_name: str(c['target_name']),
        data: isDict(c['data']) ? c['data'] : {},
      };
      if (typeof c['target_module'] === 'string') open.target_module = c['target_module'];
      return open;
    }
    case 'comm_msg':
    case 'comm_close':
      if (typeof c['comm_id'] !== 'string') return undefined;
      return { comm_id: c['comm_id'], data: isDict(c['data']) ? c['data'] : {} } satisfies CommMsg;
    case 'shutdown_request':
      return { restart: bool(c['restart'], false) } satisfies ShutdownRequest;
    case 'input_reply':
      return { value: str(c['value']) } satisfies InputReply;
    default:
      return undefined;
  }
}

export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

function parseHeader(value: unknown, what: string): Header {
  if (!isDict(value)) throw new MalformedMessageError(`${what} is not a JSON object`);
  const msgId = value['msg_id'];
  const msgType = value['msg_type'];
  if (typeof msgId !== 'string' || typeof msgType !== 'string') {
    throw new MalformedMessageError(`${what} lacks a string msg_id or msg_type`);
  }
  return {
    ...value,
    msg_id: msgId,
    msg_type: msgType,
    session: str(value['session']),
    username: str(value['username']),
    date: str(value['date']),
    version: str(value['version'], PROTOCOL_VERSION),
  };
}

/**
 * Builds a typed message from the four decoded JSON frames. Throws MalformedMessageError when the
 * header is unusable; a message of an unknown type (or with invalid content) comes back as
 * UnknownMessage so the dispatcher can log it and carry on.
 */
export function parseMessage(parts: {
  identities: Buffer[];
  header: unknown;
  parent_header: unknown;
  metadata: unknown;
  content: unknown;
  buffers: Buffer[];
}): IncomingMessage {
  const header = parseHeader(parts.header, 'header');
  const parent =
    isDict(parts.parent_header) && typeof parts.parent_header['msg_id'] === 'string'
      ? parseHeader(parts.parent_header, 'parent_header')
      : {};
  const metadata = isDict(parts.metadata) ? parts.metadata : {};
  const rawContent = isDict(parts.content) ? parts.content : {};
  const content = normaliseIncoming(header.msg_type, rawContent);
  const base = {
    identities: parts.identities,
    header,
    parent_header: parent,
    metadata,
    buffers: parts.buffers,
  };
  if (content === undefined) return { ...base, content: rawContent, unknown: true };
  // The pairing of msg_type and content is established by normaliseIncoming's switch above.
  return { ...base, content } as AnyMessage;
}

/** Narrows a message by its msg_type (the discriminant sits in the header, where TS cannot see it). */
export function isType<K extends MsgType>(
  msg: Message | UnknownMessage,
  type: K,
): msg is Message<K> {
  return !('unknown' in msg) && msg.header.msg_type === type;
}
