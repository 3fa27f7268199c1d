/**
 * is_complete_request → complete / incomplete (with indent) / invalid / unknown. Magics are
 * answered first (a `%%workflow` cell stays incomplete until its YAML body is ended, which is what
 * jupyter console needs); everything else is TypeScript, answered by the cell engine.
 */
import { isCompleteMagic } from '../magics/index.js';
import type { Handler } from './context.js';

export const handleIsComplete: Handler<'is_complete_request'> = async (ctx, kernel) => {
  const { code } = ctx.msg.content;
  const magic = isCompleteMagic(code);
  if (magic) {
    ctx.reply('is_complete_reply', magic);
    return;
  }
  const engine = await kernel.engine();
  ctx.reply('is_complete_reply', engine.isComplete(code));
};
