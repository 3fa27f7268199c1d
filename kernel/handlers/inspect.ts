/** inspect_request → quick info (type and doc comment) from the cell engine. */
import type { Handler } from './context.js';

export const handleInspect: Handler<'inspect_request'> = async (ctx, kernel) => {
  const { code, cursor_pos, detail_level } = ctx.msg.content;
  const engine = await kernel.engine();
  const r = await engine.inspect(code, cursor_pos, detail_level);
  ctx.reply('inspect_reply', {
    status: 'ok',
    found: r.found,
    data: r.found ? r.data : {},
    metadata: r.metadata,
  });
};
