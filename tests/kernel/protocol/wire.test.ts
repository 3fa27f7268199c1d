import { createHmac } from 'node:crypto';
import { DELIMITER, Signer, decode, encode } from '../../../kernel/protocol/wire.js';
import { isType, isUnknown } from '../../../kernel/protocol/messages.js';

const KEY = 'a0436f6c-1916-498b-8eb9-e81ab9368e84';
const header = (msg_type: string) => ({
  msg_id: 'm1',
  session: 's1',
  username: 'u',
  date: '2026-01-01T00:00:00.000Z',
  msg_type,
  version: '5.3',
});

function frames(
  signer: Signer,
  msgType: string,
  content: object,
  identities: Buffer[] = [Buffer.from('client-1')],
) {
  return encode(
    { identities, header: header(msgType), parent_header: {}, metadata: {}, content },
    signer,
  );
}

describe('wire encode/decode', () => {
  const signer = new Signer(KEY);

  test('round-trips identities, header and typed content', () => {
    const out = frames(signer, 'execute_request', { code: '1+1' }, [
      Buffer.from('a'),
      Buffer.from('b'),
    ]);
    const r = decode(out, signer);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.identities.map(String)).toEqual(['a', 'b']);
    expect(isType(r.message, 'execute_request')).toBe(true);
    if (!isType(r.message, 'execute_request')) return;
    // Spec defaults are filled in.
    expect(r.message.content).toEqual({
      code: '1+1',
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: true,
      stop_on_error: true,
    });
  });

  test('signs the four dict frames with HMAC-SHA256, hex, as jupyter_client does', () => {
    const out = frames(signer, 'kernel_info_request', {});
    const at = out.findIndex((f) => f.equals(DELIMITER));
    const hmac = createHmac('sha256', KEY);
    for (const f of out.slice(at + 2, at + 6)) hmac.update(f);
    expect(out[at + 1]!.toString()).toBe(hmac.digest('hex'));
  });

  test('binary buffers are carried but not signed', () => {
    const out = encode(
      {
        identities: [],
        header: header('comm_msg'),
        parent_header: {},
        metadata: {},
        content: { comm_id: 'c', data: {} },
        buffers: [Buffer.from([1, 2, 3])],
      },
      signer,
    );
    const tampered = [...out.slice(0, -1), Buffer.from([9, 9, 9])];
    const r = decode(tampered, signer);
    expect(r.ok).toBe(true);
    if (r.ok) expect([...r.message.buffers[0]!]).toEqual([9, 9, 9]);
  });

  test('a wrong signature is rejected', () => {
    const out = frames(new Signer('another-key'), 'execute_request', { code: 'x' });
    expect(decode(out, signer)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  test('a missing signature is rejected when a key is set', () => {
    const out = frames(new Signer(''), 'execute_request', { code: 'x' });
    expect(decode(out, signer)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  test('a tampered content frame is rejected', () => {
    const out = frames(signer, 'execute_request', { code: 'x' });
    out[out.length - 1] = Buffer.from(JSON.stringify({ code: 'process.exit()' }));
    expect(decode(out, signer)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  test('an empty key means no signing and no checking', () => {
    const none = new Signer('');
    const out = frames(none, 'kernel_info_request', {});
    expect(out[out.findIndex((f) => f.equals(DELIMITER)) + 1]!.length).toBe(0);
    expect(decode(out, none).ok).toBe(true);
  });

  test('malformed frames are reported, never thrown', () => {
    expect(decode([Buffer.from('garbage')], signer)).toMatchObject({
      ok: false,
      reason: 'no-delimiter',
    });
    expect(decode([DELIMITER, Buffer.from('sig')], signer)).toMatchObject({
      ok: false,
      reason: 'too-few-frames',
    });
    const none = new Signer('');
    const bad = [
      DELIMITER,
      Buffer.alloc(0),
      Buffer.from('{not json'),
      Buffer.from('{}'),
      Buffer.from('{}'),
      Buffer.from('{}'),
    ];
    expect(decode(bad, none)).toMatchObject({ ok: false, reason: 'bad-json' });
    const noType = [
      DELIMITER,
      Buffer.alloc(0),
      Buffer.from('{"msg_id":"x"}'),
      Buffer.from('{}'),
      Buffer.from('{}'),
      Buffer.from('{}'),
    ];
    expect(decode(noType, none)).toMatchObject({ ok: false, reason: 'bad-header' });
    const arrayHeader = [
      DELIMITER,
      Buffer.alloc(0),
      Buffer.from('[1]'),
      Buffer.from('{}'),
      Buffer.from('{}'),
      Buffer.from('{}'),
    ];
    expect(decode(arrayHeader, none)).toMatchObject({ ok: false, reason: 'bad-header' });
  });

  test('an unknown msg_type or invalid content decodes as UnknownMessage', () => {
    const r = decode(frames(signer, 'frobnicate_request', { x: 1 }), signer);
    expect(r.ok && isUnknown(r.message)).toBe(true);
    const noCode = decode(frames(signer, 'execute_request', { silent: true }), signer);
    expect(noCode.ok && isUnknown(noCode.message)).toBe(true);
  });

  test('silent forces store_history off', () => {
    const r = decode(
      frames(signer, 'execute_request', { code: '1', silent: true, store_history: true }),
      signer,
    );
    expect(r.ok && isType(r.message, 'execute_request') && r.message.content.store_history).toBe(
      false,
    );
  });

  test('other signature schemes from the connection file are honoured', () => {
    const sha512 = new Signer(KEY, 'hmac-sha512');
    const out = frames(sha512, 'kernel_info_request', {});
    expect(out[out.findIndex((f) => f.equals(DELIMITER)) + 1]!.length).toBe(128);
    expect(decode(out, sha512).ok).toBe(true);
    expect(decode(out, signer).ok).toBe(false);
    expect(() => new Signer(KEY, 'rsa-sha256')).toThrow(/signature_scheme/);
  });
});
