import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConnectionFileError,
  endpoint,
  parseConnectionInfo,
  readConnectionFile,
} from '../../../kernel/protocol/connection.js';

const base = {
  shell_port: 5001,
  iopub_port: 5002,
  stdin_port: 5003,
  control_port: 5004,
  hb_port: 5005,
  ip: '127.0.0.1',
  key: 'k',
  transport: 'tcp',
  signature_scheme: 'hmac-sha256',
  kernel_name: 'agentkernel',
};

describe('connection file', () => {
  test('tcp endpoints', () => {
    const info = parseConnectionInfo(base);
    expect(endpoint(info, 'shell')).toBe('tcp://127.0.0.1:5001');
    expect(endpoint(info, 'hb')).toBe('tcp://127.0.0.1:5005');
    expect(info.kernel_name).toBe('agentkernel');
  });

  test('ipc endpoints follow jupyter_client: ipc://<ip>-<port>', () => {
    const info = parseConnectionInfo({ ...base, transport: 'ipc', ip: '/tmp/kernel-abc' });
    expect(endpoint(info, 'control')).toBe('ipc:///tmp/kernel-abc-5004');
  });

  test('defaults: empty key, hmac-sha256', () => {
    const rest = Object.fromEntries(
      Object.entries(base).filter(([k]) => k !== 'key' && k !== 'signature_scheme'),
    );
    const info = parseConnectionInfo(rest);
    expect(info.key).toBe('');
    expect(info.signature_scheme).toBe('hmac-sha256');
  });

  test.each([
    [{ ...base, transport: 'udp' }, /transport/],
    [{ ...base, shell_port: 0 }, /shell_port/],
    [{ ...base, hb_port: '5005' }, /hb_port/],
    [{ ...base, key: 5 }, /key/],
    [{ ...base, signature_scheme: 'md5' }, /signature_scheme/],
    [[], /JSON object/],
  ])('rejects %j', (json, message) => {
    expect(() => parseConnectionInfo(json)).toThrow(message);
    try {
      parseConnectionInfo(json);
    } catch (e) {
      expect(e).toBeInstanceOf(ConnectionFileError);
      expect((e as ConnectionFileError).code).toBe('AR-CONFIG-VALIDATION');
    }
  });

  test('reads a file and names it in errors', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conn-'));
    const good = path.join(dir, 'kernel.json');
    writeFileSync(good, JSON.stringify(base));
    expect(readConnectionFile(good).iopub_port).toBe(5002);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{');
    expect(() => readConnectionFile(bad)).toThrow(/bad\.json/);
    expect(() => readConnectionFile(path.join(dir, 'missing.json'))).toThrow(/Cannot read/);
  });
});
