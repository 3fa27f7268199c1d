/**
 * What a handler gets: the request, `reply`/`publish` already bound to it (so the parent header
 * and identities cannot be forgotten), and the kernel services it may use. Handlers never touch
 * a socket.
 */
import type { CellEngine } from '../cells/types.js';
import type { History } from '../history.js';
import type { ContentByType, JsonDict, Message, MsgType } from '../protocol/messages.js';
import type { CommRegistry } from './comm.js';

export type ReplyChannel = 'shell' | 'control';

export interface RequestContext<K extends MsgType> {
  msg: Message<K>;
  channel: ReplyChannel;
  reply<R extends MsgType>(type: R, content: ContentByType[R], metadata?: JsonDict): void;
  publish<R extends MsgType>(type: R, content: ContentByType[R]): void;
}

export interface KernelServices {
  /** The cell engine, loaded on first use (the TypeScript compiler stays off the start-up path). */
  engine(): Promise<CellEngine>;
  history: History;
  comms: CommRegistry;
  log(text: string): void;
  /** Asks the frontend for input over stdin on behalf of `parent`. */
  requestInput(
    parent: Message<'execute_request'>,
    prompt: string,
    password: boolean,
  ): Promise<string>;
  /** Cancels the running cell and any pending input request. */
  interrupt(): void;
  /** Called after the shutdown reply is queued. */
  shutdown(restart: boolean): void;
}

export type Handler<K extends MsgType> = (
  ctx: RequestContext<K>,
  kernel: KernelServices,
) => Promise<void> | void;

/** msg_type → handler; the mapped type ties each handler to its own message type. */
export type HandlerTable = { [K in MsgType]?: Handler<K> };
