/** Control-only requests: shutdown (restart echoed) and interrupt. */
import type { Handler } from './context.js';

export const handleShutdown: Handler<'shutdown_request'> = (ctx, kernel) => {
  const content = { status: 'ok' as const, restart: ctx.msg.content.restart };
  ctx.reply('shutdown_reply', content);
  // ipykernel also broadcasts the reply on IOPub so every frontend learns of the shutdown.
  ctx.publish('shutdown_reply', content);
  kernel.shutdown(ctx.msg.content.restart);
};

/**
 * Reached only when the socket worker is not in front of the control socket (tests, or a
 * transport without it); normally the worker answers interrupt_request itself.
 */
export const handleInterrupt: Handler<'interrupt_request'> = (ctx, kernel) => {
  kernel.interrupt();
  ctx.reply('interrupt_reply', { status: 'ok' });
};
