import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ToolDeniedError, isAgentkernelError } from '../../../../runtime/errors.js';
import {
  createHttpTool,
  isPrivateAddress,
  type Resolver,
} from '../../../../runtime/tools/builtin/index.js';
import { validateToolInput } from '../../../../runtime/tools/validate-input.js';
import { toolContext } from './helpers.js';

let server: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, body, host: req.headers.host }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => (hits = 0));

/** A resolver mapping names the way an attacker's DNS would. */
const resolver: Resolver = async (hostname) => {
  if (hostname === 'rebind.example') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'metadata.example') return [{ address: '169.254.169.254', family: 4 }];
  if (hostname === 'mixed.example')
    return [
      { address: '10.0.0.5', family: 4 },
      { address: '::ffff:127.0.0.1', family: 6 },
    ];
  if (hostname === 'public.example') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeDefined();
  return error!;
}

describe('tools.http', () => {
  it('classifies private, loopback, link-local, CGNAT, ULA and mapped addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      'not-an-ip',
    ])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111'])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });

  it('refuses 127.0.0.1 and 169.254.169.254 literals before connecting', async () => {
    const tool = createHttpTool({ resolver });
    for (const url of [
      `http://127.0.0.1:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/`,
    ]) {
      const error = await refusal(
        Promise.resolve().then(() => tool.execute({ url }, toolContext())),
      );
      expect(error).toBeInstanceOf(ToolDeniedError);
      expect(isAgentkernelError(error) && error.code).toBe('AR-TOOL-DENIED');
    }
    expect(hits).toBe(0);
  });

  it('refuses a name that resolves to a private address, checked on the address actually connected to', async () => {
    const tool = createHttpTool({ resolver });
    for (const host of ['rebind.example', 'metadata.example', 'mixed.example']) {
      const error = await refusal(
        Promise.resolve().then(() =>
          tool.execute({ url: `http://${host}:${port}/` }, toolContext()),
        ),
      );
      expect(error.message).toMatch(/refusing to connect/);
    }
    expect(hits).toBe(0);
  });

  it('connects when private targets are allowed, sending JSON bodies', async () => {
    const tool = createHttpTool({ resolver, allowPrivate: true });
    const out = await tool.execute(
      { url: `http://public.example:${port}/x`, method: 'POST', json_body: { a: 1 } },
      toolContext(),
    );
    expect(out.status).toBe(200);
    expect(JSON.parse(String(out.body))).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(hits).toBe(1);
  });

  it('enforces the host allowlist and the URL scheme, and validates its input', async () => {
    const tool = createHttpTool({
      resolver,
      allowPrivate: true,
      allowlist: ['api.example.com', '*.trusted.example'],
    });
    expect(
      (
        await refusal(
          Promise.resolve().then(() =>
            tool.execute({ url: `http://public.example:${port}/` }, toolContext()),
          ),
        )
      ).message,
    ).toMatch(/not on the allowlist/);
    expect(
      (
        await refusal(
          Promise.resolve().then(() => tool.execute({ url: 'file:///etc/passwd' }, toolContext())),
        )
      ).message,
    ).toMatch(/only http and https/);
    expect(() => validateToolInput(tool, { url: 'http://x', method: 'TRACE' })).toThrow(/method/);
    expect(hits).toBe(0);
  });
});
