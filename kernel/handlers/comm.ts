/**
 * Comm bookkeeping (messaging spec "Custom Messages"): a registry of comm targets and open comms.
 * A comm_open for a target nobody registered is answered with comm_close, as ipykernel does, so
 * the frontend does not keep a dead comm around.
 */
import type { JsonDict, MsgType } from '../protocol/messages.js';
import type { Handler, RequestContext } from './context.js';

export interface Comm {
  id: string;
  targetName: string;
  /** Sends comm_msg to the frontend, parented to the request being handled now. */
  send(data: JsonDict): void;
}

export interface CommTarget {
  onOpen(comm: Comm, data: JsonDict): void;
  onMessage?(comm: Comm, data: JsonDict): void;
  onClose?(comm: Comm, data: JsonDict): void;
}

export class CommRegistry {
  private readonly targets = new Map<string, CommTarget>();
  private readonly open = new Map<string, { targetName: string }>();

  registerTarget(name: string, target: CommTarget): void {
    this.targets.set(name, target);
  }

  unregisterTarget(name: string): void {
    this.targets.delete(name);
  }

  /** Open comms, optionally only those of one target (comm_info_reply `comms`). */
  list(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, c] of this.open) {
      if (targetName === undefined || c.targetName === targetName)
        out[id] = { target_name: c.targetName };
    }
    return out;
  }

  target(name: string): CommTarget | undefined {
    return this.targets.get(name);
  }

  targetOf(commId: string): string | undefined {
    return this.open.get(commId)?.targetName;
  }

  add(commId: string, targetName: string): void {
    this.open.set(commId, { targetName });
  }

  remove(commId: string): void {
    this.open.delete(commId);
  }
}

export const handleCommInfo: Handler<'comm_info_request'> = (ctx, kernel) => {
  ctx.reply('comm_info_reply', {
    status: 'ok',
    comms: kernel.comms.list(ctx.msg.content.target_name),
  });
};

function commFor(
  ctx: Pick<RequestContext<MsgType>, 'publish'>,
  id: string,
  targetName: string,
): Comm {
  return {
    id,
    targetName,
    send: (data) => ctx.publish('comm_msg', { comm_id: id, data }),
  };
}

export const handleCommOpen: Handler<'comm_open'> = (ctx, kernel) => {
  const { comm_id, target_name, data } = ctx.msg.content;
  const target = kernel.comms.target(target_name);
  if (!target) {
    kernel.log(`comm_open for unknown target '${target_name}': closing comm ${comm_id}\n`);
    ctx.publish('comm_close', { comm_id, data: {} });
    return;
  }
  kernel.comms.add(comm_id, target_name);
  target.onOpen(commFor(ctx, comm_id, target_name), data);
};

export const handleCommMsg: Handler<'comm_msg'> = (ctx, kernel) => {
  const { comm_id, data } = ctx.msg.content;
  const targetName = kernel.comms.targetOf(comm_id);
  if (targetName === undefined) {
    kernel.log(`comm_msg for unknown comm ${comm_id}: ignored\n`);
    return;
  }
  kernel.comms.target(targetName)?.onMessage?.(commFor(ctx, comm_id, targetName), data);
};

export const handleCommClose: Handler<'comm_close'> = (ctx, kernel) => {
  const { comm_id, data } = ctx.msg.content;
  const targetName = kernel.comms.targetOf(comm_id);
  kernel.comms.remove(comm_id);
  if (targetName !== undefined)
    kernel.comms.target(targetName)?.onClose?.(commFor(ctx, comm_id, targetName), data);
};
