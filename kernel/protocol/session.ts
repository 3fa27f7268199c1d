/**
 * Builds outgoing messages. `reply(parent, type, content)` is the only way handlers make a message
 * that answers a request (the `as_child_of` of jupyter-protocol): it copies the routing identities
 * and sets parent_header, so neither can be forgotten.
 */
import { randomUUID } from 'node:crypto';
import {
  PROTOCOL_VERSION,
  type ContentByType,
  type Header,
  type JsonDict,
  type MsgType,
} from './messages.js';
import type { OutgoingParts } from './wire.js';

/** The header/identities part of a request that replies and outputs are parented to. */
export interface ParentRef {
  identities: Buffer[];
  header: Header;
}

export interface Outgoing<T extends MsgType> extends OutgoingParts {
  header: Header & { msg_type: T };
  content: ContentByType[T];
}

export class Session {
  readonly id: string;
  readonly username: string;

  constructor(options: { id?: string; username?: string } = {}) {
    this.id = options.id ?? randomUUID();
    this.username = options.username ?? 'kernel';
  }

  header<T extends MsgType>(msgType: T): Header & { msg_type: T } {
    return {
      msg_id: randomUUID(),
      session: this.id,
      username: this.username,
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
  }

  /** A message answering `parent` on a ROUTER socket (shell, control, stdin). */
  reply<T extends MsgType>(
    parent: ParentRef,
    msgType: T,
    content: ContentByType[T],
    metadata: JsonDict = {},
  ): Outgoing<T> {
    return {
      identities: parent.identities,
      header: this.header(msgType),
      parent_header: parent.header,
      metadata,
      content,
    };
  }

  /**
   * An error reply to a request of any type, built from its msg_type (`x_request` → `x_reply`);
   * used when a handler failed before it could reply, so the client is never left waiting.
   */
  errorReply(
    parent: ParentRef,
    error: { ename: string; evalue: string; traceback: string[] },
  ): OutgoingParts {
    const msgType = parent.header.msg_type.replace(/_request$/, '_reply');
    return {
      identities: parent.identities,
      header: { ...this.header('execute_reply'), msg_type: msgType },
      parent_header: parent.header,
      metadata: {},
      content: { status: 'error', ...error },
    };
  }

  /**
   * An IOPub message. Its single identity frame is the topic (`kernel.<session>.<msg_type>`, as
   * ipykernel sends), which subscribers may filter on.
   */
  broadcast<T extends MsgType>(
    parent: Header | undefined,
    msgType: T,
    content: ContentByType[T],
    metadata: JsonDict = {},
  ): Outgoing<T> {
    return {
      identities: [Buffer.from(`kernel.${this.id}.${msgType}`)],
      header: this.header(msgType),
      parent_header: parent ?? {},
      metadata,
      content,
    };
  }
}
