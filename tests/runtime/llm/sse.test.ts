import { SseParser } from '../../../runtime/llm/sse.js';

describe('SseParser', () => {
  it('joins data lines, keeps event names, ignores comments, and handles every line ending', () => {
    const p = new SseParser();
    const events = p.push(
      ': keep-alive\nevent: a\ndata: one\ndata: two\n\r\ndata: x\r\rdata:y\n\n',
    );
    expect(events).toEqual([
      { event: 'a', data: 'one\ntwo' },
      { event: 'message', data: 'x' },
      { event: 'message', data: 'y' },
    ]);
  });

  it('assembles events split across arbitrary chunk boundaries (including inside \\r\\n)', () => {
    const text = 'event: ping\r\ndata: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got).toEqual([
        { event: 'ping', data: '{"a":1}' },
        { event: 'message', data: '[DONE]' },
      ]);
    }
  });

  it('does not dispatch an event without data, and drops an unterminated event at the end', () => {
    const p = new SseParser();
    expect(p.push('event: lonely\n\nid: 7\nretry: 10\ndata: z\n\ndata: partial')).toEqual([
      { event: 'message', data: 'z', id: '7', retry: 10 },
    ]);
    expect(p.end()).toEqual([]);
  });
});
