import { Session } from '../../../kernel/protocol/session.js';
import type { Header } from '../../../kernel/protocol/messages.js';

const parentHeader: Header = {
  msg_id: 'req-1',
  session: 'client',
  username: 'me',
  date: '2026-01-01T00:00:00.000Z',
  msg_type: 'kernel_info_request',
  version: '5.3',
};

describe('Session', () => {
  const session = new Session({ id: 'kernel-session' });

  test('headers carry every mandatory field and protocol 5.3', () => {
    const h = session.header('status');
    expect(h).toMatchObject({
      session: 'kernel-session',
      msg_type: 'status',
      version: '5.3',
      username: 'kernel',
    });
    expect(typeof h.msg_id).toBe('string');
    expect(Number.isNaN(Date.parse(h.date))).toBe(false);
    expect(session.header('status').msg_id).not.toBe(h.msg_id);
  });

  test('reply copies the identities and sets the parent header', () => {
    const ids = [Buffer.from('router-id')];
    const r = session.reply({ identities: ids, header: parentHeader }, 'kernel_info_reply', {
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'x',
      implementation_version: '1',
      language_info: {
        name: 'typescript',
        version: '5',
        mimetype: 'text/typescript',
        file_extension: '.ts',
        codemirror_mode: 'typescript',
        pygments_lexer: 'typescript',
      },
      banner: '',
      help_links: [],
      debugger: false,
    });
    expect(r.identities).toEqual(ids);
    expect(r.parent_header).toBe(parentHeader);
    expect(r.header.msg_type).toBe('kernel_info_reply');
  });

  test('broadcast uses a kernel.<session>.<type> topic and the parent header', () => {
    const m = session.broadcast(parentHeader, 'status', { execution_state: 'busy' });
    expect(m.identities.map(String)).toEqual(['kernel.kernel-session.status']);
    expect(m.parent_header).toBe(parentHeader);
    expect(
      session.broadcast(undefined, 'status', { execution_state: 'starting' }).parent_header,
    ).toEqual({});
  });
});
