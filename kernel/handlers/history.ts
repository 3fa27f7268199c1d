/** history_request → tail / range / search over the persisted history. */
import type { Handler } from './context.js';

export const handleHistory: Handler<'history_request'> = (ctx, kernel) => {
  ctx.reply('history_reply', { status: 'ok', history: kernel.history.query(ctx.msg.content) });
};
