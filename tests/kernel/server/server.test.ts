import { Signer } from '../../../kernel/protocol/wire.js';
import { Harness } from './harness.js';

describe('KernelServer dispatch', () => {
  test('kernel_info_reply is bracketed by busy and idle on IOPub', async () => {
    const h = new Harness();
    const id = h.request('shell', 'kernel_info_request', {});
    await h.idle(id);
    expect(h.iopubTypes(id)).toEqual(['status:busy', 'status:idle']);
    const reply = h.reply(id)!;
    expect(reply.channel).toBe('shell');
    expect(reply.identities).toEqual(['peer']);
    expect(reply.header.msg_type).toBe('kernel_info_reply');
    expect(reply.content).toMatchObject({
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'agentkernel',
      language_info: {
        name: 'typescript',
        file_extension: '.ts',
        mimetype: 'text/typescript',
        pygments_lexer: 'typescript',
      },
    });
    // Busy is sent before the reply, idle after it.
    const order = h.forRequest(id).map((m) => m.header.msg_type);
    expect(order).toEqual(['status', 'kernel_info_reply', 'status']);
  });

  test('kernel_info is answered on control too', async () => {
    const h = new Harness();
    const id = h.request('control', 'kernel_info_request', {});
    await h.idle(id);
    expect(h.reply(id)!.channel).toBe('control');
  });

  test('a bad signature is dropped: no reply, no status, logged', async () => {
    const h = new Harness();
    h.request('shell', 'execute_request', { code: 'print hi' }, new Signer('wrong'));
    await new Promise((r) => setTimeout(r, 5));
    expect(h.sent).toEqual([]);
    expect(h.engine.executed).toEqual([]);
    expect(h.logs.join('')).toMatch(/bad-signature/);
  });

  test('malformed frames and unknown types are logged and survived', async () => {
    const h = new Harness();
    h.server.receive('shell', [Buffer.from('junk')]);
    h.server.receive('shell', []);
    h.request('shell', 'no_such_request', {});
    const id = h.request('shell', 'kernel_info_request', {});
    await h.idle(id);
    expect(h.logs.join('')).toMatch(/no-delimiter/);
    expect(h.logs.join('')).toMatch(/no_such_request/);
  });

  test('control-only types are refused on shell', async () => {
    const h = new Harness();
    h.request('shell', 'shutdown_request', { restart: false });
    await new Promise((r) => setTimeout(r, 5));
    expect(h.shutdowns).toEqual([]);
    expect(h.logs.join('')).toMatch(/no handler for 'shutdown_request'/);
  });

  test('shutdown_request echoes restart and asks the owner to exit', async () => {
    const h = new Harness();
    const id = h.request('control', 'shutdown_request', { restart: true });
    await h.idle(id);
    expect(h.reply(id)!.content).toEqual({ status: 'ok', restart: true });
    await new Promise((r) => setImmediate(r));
    expect(h.shutdowns).toEqual([true]);
  });

  test('complete, inspect and is_complete map the engine results to the spec fields', async () => {
    const h = new Harness();
    const c = h.request('shell', 'complete_request', { code: 'al', cursor_pos: 2 });
    const i = h.request('shell', 'inspect_request', {
      code: 'Math',
      cursor_pos: 4,
      detail_level: 0,
    });
    const ic = h.request('shell', 'is_complete_request', { code: 'function f() {' });
    await Promise.all([h.idle(c), h.idle(i), h.idle(ic)]);
    expect(h.reply(c)!.content).toEqual({
      status: 'ok',
      matches: ['alpha', 'alphabet'],
      cursor_start: 0,
      cursor_end: 2,
      metadata: {},
    });
    expect(h.reply(i)!.content).toEqual({
      status: 'ok',
      found: true,
      data: { 'text/plain': 'doc of Math' },
      metadata: {},
    });
    expect(h.reply(ic)!.content).toEqual({ status: 'incomplete', indent: '  ' });
  });

  test('a handler that throws produces an error reply and still goes idle', async () => {
    const h = new Harness();
    h.engine.complete = async () => {
      throw new TypeError('language service down');
    };
    const id = h.request('shell', 'complete_request', { code: 'x', cursor_pos: 1 });
    await h.idle(id);
    expect(h.reply(id)!.header.msg_type).toBe('complete_reply');
    expect(h.reply(id)!.content).toMatchObject({
      status: 'error',
      ename: 'TypeError',
      evalue: 'language service down',
    });
  });

  test('comm_open to an unknown target is answered with comm_close; known targets are tracked', async () => {
    const h = new Harness();
    const unknown = h.request('shell', 'comm_open', {
      comm_id: 'c1',
      target_name: 'nobody',
      data: {},
    });
    await h.idle(unknown);
    expect(h.forRequest(unknown).find((m) => m.header.msg_type === 'comm_close')!.content).toEqual({
      comm_id: 'c1',
      data: {},
    });

    const received: unknown[] = [];
    h.server.comms.registerTarget('echo', {
      onOpen: (comm, data) => comm.send({ opened: data }),
      onMessage: (comm, data) => {
        received.push(data);
        comm.send({ echo: data });
      },
    });
    const open = h.request('shell', 'comm_open', {
      comm_id: 'c2',
      target_name: 'echo',
      data: { a: 1 },
    });
    await h.idle(open);
    const info = h.request('shell', 'comm_info_request', { target_name: 'echo' });
    await h.idle(info);
    expect(h.reply(info)!.content).toEqual({
      status: 'ok',
      comms: { c2: { target_name: 'echo' } },
    });
    const msg = h.request('shell', 'comm_msg', { comm_id: 'c2', data: { ping: true } });
    await h.idle(msg);
    expect(received).toEqual([{ ping: true }]);
    expect(h.forRequest(msg).find((m) => m.header.msg_type === 'comm_msg')!.content).toEqual({
      comm_id: 'c2',
      data: { echo: { ping: true } },
    });
    const close = h.request('shell', 'comm_close', { comm_id: 'c2', data: {} });
    await h.idle(close);
    const after = h.request('shell', 'comm_info_request', {});
    await h.idle(after);
    expect(h.reply(after)!.content).toEqual({ status: 'ok', comms: {} });
  });
});
