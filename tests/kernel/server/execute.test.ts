import { Harness } from './harness.js';

describe('execute_request semantics', () => {
  test('count, execute_input, stream, execute_result, reply, then idle', async () => {
    const h = new Harness();
    const a = h.request('shell', 'execute_request', { code: 'print hello' });
    const b = h.request('shell', 'execute_request', { code: 'value 42' });
    await h.idle(b);
    expect(h.iopubTypes(a)).toEqual(['status:busy', 'execute_input', 'stream', 'status:idle']);
    expect(h.iopubTypes(b)).toEqual([
      'status:busy',
      'execute_input',
      'execute_result',
      'status:idle',
    ]);
    expect(h.forRequest(a).find((m) => m.header.msg_type === 'stream')!.content).toEqual({
      name: 'stdout',
      text: 'hello\n',
    });
    expect(h.forRequest(b).find((m) => m.header.msg_type === 'execute_result')!.content).toEqual({
      execution_count: 2,
      data: { 'text/plain': '42' },
      metadata: {},
    });
    expect(h.reply(a)!.content).toEqual({
      status: 'ok',
      execution_count: 1,
      payload: [],
      user_expressions: {},
    });
    // The idle of a request comes after its reply.
    const types = h.forRequest(b).map((m) => m.header.msg_type);
    expect(types.indexOf('execute_reply')).toBeLessThan(types.lastIndexOf('status'));
  });

  test('stream writes in one burst are coalesced and keep their order with other outputs', async () => {
    const h = new Harness();
    h.engine.execute = async () => {
      const { currentSink } = await import('../../../kernel/output/sink.js');
      const sink = currentSink()!;
      sink.stream('stdout', 'a');
      sink.stream('stdout', 'b');
      sink.stream('stderr', 'E');
      sink.display({ 'text/html': '<i>x</i>' });
      sink.stream('stdout', 'c');
      return { status: 'ok' };
    };
    const id = h.request('shell', 'execute_request', { code: 'x' });
    await h.idle(id);
    const outputs = h
      .forRequest(id)
      .filter((m) => m.header.msg_type === 'stream' || m.header.msg_type === 'display_data');
    expect(outputs.map((m) => m.content['text'] ?? 'display')).toEqual(['ab', 'E', 'display', 'c']);
  });

  test('an error publishes the error output and an error reply with ename/evalue/traceback', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'fail boom' });
    await h.idle(id);
    expect(h.iopubTypes(id)).toEqual(['status:busy', 'execute_input', 'error', 'status:idle']);
    expect(h.reply(id)!.content).toEqual({
      status: 'error',
      execution_count: 1,
      ename: 'Error',
      evalue: 'boom',
      traceback: ['Error: boom'],
    });
  });

  test('an engine that throws still yields a proper error reply', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'throw kaput' });
    await h.idle(id);
    expect(h.reply(id)!.content).toMatchObject({
      status: 'error',
      ename: 'Error',
      evalue: 'kaput',
    });
  });

  test('stop_on_error aborts the execute_requests already queued, without running them', async () => {
    const h = new Harness();
    const a = h.request('shell', 'execute_request', { code: 'sleep' });
    const b = h.request('shell', 'execute_request', { code: 'fail first' });
    const c = h.request('shell', 'execute_request', { code: 'print never' });
    const d = h.request('shell', 'execute_request', { code: 'print never either' });
    await h.idle(d);
    expect(h.reply(a)!.content['status']).toBe('ok');
    expect(h.reply(b)!.content['status']).toBe('error');
    expect(h.reply(c)!.content).toEqual({ status: 'aborted' });
    expect(h.reply(d)!.content).toEqual({ status: 'aborted' });
    expect(h.engine.executed).toEqual(['sleep', 'fail first']);
    expect(h.iopubTypes(c)).toEqual(['status:busy', 'status:idle']);
    // Once the queue has drained (and the socket was polled once more), execution resumes.
    await new Promise((r) => setTimeout(r, 1));
    const e = h.request('shell', 'execute_request', { code: 'print again' });
    await h.idle(e);
    expect(h.reply(e)!.content['status']).toBe('ok');
  });

  test('stop_on_error=false keeps running queued requests', async () => {
    const h = new Harness();
    h.request('shell', 'execute_request', { code: 'fail first', stop_on_error: false });
    const b = h.request('shell', 'execute_request', { code: 'print next' });
    await h.idle(b);
    expect(h.reply(b)!.content['status']).toBe('ok');
  });

  test('silent: no IOPub output at all and no count increment', async () => {
    const h = new Harness();
    const a = h.request('shell', 'execute_request', { code: 'print quiet', silent: true });
    const b = h.request('shell', 'execute_request', { code: 'value 1', silent: true });
    const c = h.request('shell', 'execute_request', { code: 'value 2' });
    await h.idle(c);
    expect(h.iopubTypes(a)).toEqual(['status:busy', 'status:idle']);
    expect(h.iopubTypes(b)).toEqual(['status:busy', 'status:idle']);
    expect(h.reply(a)!.content['execution_count']).toBe(0);
    expect(h.reply(c)!.content['execution_count']).toBe(1);
  });

  test('store_history=false runs without counting or recording', async () => {
    const h = new Harness();
    const a = h.request('shell', 'execute_request', { code: 'value 1', store_history: false });
    await h.idle(a);
    expect(h.reply(a)!.content['execution_count']).toBe(0);
    const hist = h.request('shell', 'history_request', {
      hist_access_type: 'tail',
      n: 10,
      output: false,
      raw: true,
    });
    await h.idle(hist);
    expect(h.reply(hist)!.content['history']).toEqual([]);
  });

  test('user_expressions are evaluated after the cell: bundles or error dicts', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', {
      code: 'print x',
      user_expressions: { good: 'a.b', broken: 'bad.c' },
    });
    await h.idle(id);
    expect(h.reply(id)!.content['user_expressions']).toEqual({
      good: { status: 'ok', data: { 'text/plain': '<a.b>' }, metadata: {} },
      broken: {
        status: 'error',
        ename: 'ReferenceError',
        evalue: 'bad.c is not defined',
        traceback: [],
      },
    });
  });

  test('other requests are answered while an async cell runs; executes wait their turn', async () => {
    const h = new Harness();
    const slow = h.request('shell', 'execute_request', { code: 'wait' });
    const next = h.request('shell', 'execute_request', { code: 'print after' });
    await h.until(() => h.engine.executed.length === 1);
    const info = h.request('shell', 'kernel_info_request', {});
    await h.idle(info);
    expect(h.reply(slow)).toBeUndefined();
    expect(h.engine.executed).toEqual(['wait']);
    h.engine.release();
    await h.idle(next);
    expect(h.engine.executed).toEqual(['wait', 'print after']);
  });

  test('interrupt aborts the running cell through its AbortSignal', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'wait' });
    await h.until(() => h.engine.executed.length === 1);
    const int = h.request('control', 'interrupt_request', {});
    await h.idle(id);
    expect(h.reply(int)!.content).toEqual({ status: 'ok' });
    expect(h.reply(id)!.content).toMatchObject({ status: 'error', ename: 'Interrupted' });
  });

  test('input_request goes out on stdin with the execute parent; input_reply resolves it', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'ask name?', allow_stdin: true });
    await h.until(() => h.sent.some((m) => m.header.msg_type === 'input_request'));
    const req = h.sent.find((m) => m.header.msg_type === 'input_request')!;
    expect(req.channel).toBe('stdin');
    expect(req.identities).toEqual(['peer']);
    expect(req.parent_header.msg_id).toBe(id);
    expect(req.content).toEqual({ prompt: 'name?', password: false });
    h.inputReply('Ada');
    await h.idle(id);
    expect(
      h.forRequest(id).find((m) => m.header.msg_type === 'execute_result')!.content['data'],
    ).toEqual({ 'text/plain': 'got Ada' });
  });

  test('input is refused clearly when allow_stdin is false', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'ask name?', allow_stdin: false });
    await h.idle(id);
    expect(h.sent.some((m) => m.header.msg_type === 'input_request')).toBe(false);
    expect(h.reply(id)!.content).toMatchObject({ status: 'error', ename: 'StdinNotAllowedError' });
  });

  test('interrupt cancels a pending input request', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'ask name?' });
    await h.until(() => h.sent.some((m) => m.header.msg_type === 'input_request'));
    h.server.interrupt();
    await h.idle(id);
    expect(h.reply(id)!.content).toMatchObject({ status: 'error', ename: 'StdinInterrupted' });
  });

  test('output printed after a cell finished goes to that cell, not the newest one', async () => {
    const h = new Harness();
    const a = h.request('shell', 'execute_request', { code: 'late from-a' });
    const b = h.request('shell', 'execute_request', { code: 'wait' });
    await h.until(() => h.sent.some((m) => m.header.msg_type === 'stream'));
    const stream = h.sent.find((m) => m.header.msg_type === 'stream')!;
    expect(stream.parent_header.msg_id).toBe(a);
    expect(stream.content).toEqual({ name: 'stdout', text: 'from-a\n' });
    h.engine.release();
    await h.idle(b);
  });

  test('`expr?` answers with a pager payload', async () => {
    const h = new Harness();
    const id = h.request('shell', 'execute_request', { code: 'Math.max?' });
    await h.idle(id);
    expect(h.reply(id)!.content['payload']).toEqual([
      { source: 'page', data: { 'text/plain': 'doc of Math.max' }, start: 0 },
    ]);
  });
});

describe('stop_on_error abort window', () => {
  test('a request sent before the failure but arriving after it is aborted; one sent after runs', async () => {
    const h = new Harness();
    const failing = h.request('shell', 'execute_request', { code: 'fail x' });
    await h.idle(failing);
    // Sent (by its header date) before the failure, delivered late, as after a blocking cell.
    const early = h.requestWithDate(
      'execute_request',
      { code: 'print early' },
      new Date(Date.now() - 60_000),
    );
    const later = h.requestWithDate(
      'execute_request',
      { code: 'print later' },
      new Date(Date.now() + 5),
    );
    await h.idle(later);
    expect(h.reply(early)!.content).toEqual({ status: 'aborted' });
    expect(h.reply(later)!.content['status']).toBe('ok');
    expect(h.engine.executed).toEqual(['fail x', 'print later']);
  });
});
