/** complete_request → the cell engine's language-service completions. */
import { completeMagic } from '../magics/index.js';
import type { Handler } from './context.js';

export const handleComplete: Handler<'complete_request'> = async (ctx, kernel) => {
  const { code, cursor_pos } = ctx.msg.content;
  // Inside a %magic line the magics complete (names, workflow files, run ids); else the engine.
  const r =
    (await completeMagic(code, cursor_pos)) ??
    (await (await kernel.engine()).complete(code, cursor_pos));
  ctx.reply('complete_reply', {
    status: 'ok',
    matches: r.matches,
    cursor_start: r.cursorStart,
    cursor_end: r.cursorEnd,
    metadata: r.metadata,
  });
};
