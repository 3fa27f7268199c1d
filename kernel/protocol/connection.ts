/**
 * The connection file Jupyter writes before it starts a kernel: transport, address, five ports,
 * the HMAC key and scheme. Parsed once and validated, with messages that say which field is wrong.
 */
import { readFileSync } from 'node:fs';
import { AgentkernelError } from '../../runtime/errors.js';

export type Channel = 'shell' | 'control' | 'iopub' | 'stdin' | 'hb';
export const CHANNELS: readonly Channel[] = ['shell', 'control', 'iopub', 'stdin', 'hb'];

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  control_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export class ConnectionFileError extends AgentkernelError {
  constructor(message: string, file?: string) {
    super('AR-CONFIG-VALIDATION', file ? `${message} (connection file ${file})` : message, {
      details: file ? { file } : {},
    });
  }
}

export function parseConnectionInfo(json: unknown, file?: string): ConnectionInfo {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConnectionFileError('Connection info must be a JSON object', file);
  }
  const o = json as Record<string, unknown>;
  const transport = o['transport'] ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') {
    throw new ConnectionFileError(
      `transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`,
      file,
    );
  }
  const ip = o['ip'] ?? (transport === 'tcp' ? '127.0.0.1' : 'kernel-ipc');
  if (typeof ip !== 'string' || ip === '')
    throw new ConnectionFileError('ip must be a non-empty string', file);
  const port = (name: string): number => {
    const v = o[name];
    // Port 0 would mean "pick one", but then the client could not know where to connect.
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 65535) {
      throw new ConnectionFileError(
        `${name} must be an integer port 1-65535, got ${JSON.stringify(v)}`,
        file,
      );
    }
    return v;
  };
  const key = o['key'] ?? '';
  if (typeof key !== 'string') throw new ConnectionFileError('key must be a string', file);
  const scheme = o['signature_scheme'] ?? 'hmac-sha256';
  if (typeof scheme !== 'string' || !/^hmac-[a-z0-9]+$/.test(scheme)) {
    throw new ConnectionFileError(
      `signature_scheme must look like "hmac-sha256", got ${JSON.stringify(scheme)}`,
      file,
    );
  }
  const info: ConnectionInfo = {
    transport,
    ip,
    shell_port: port('shell_port'),
    control_port: port('control_port'),
    iopub_port: port('iopub_port'),
    stdin_port: port('stdin_port'),
    hb_port: port('hb_port'),
    key,
    signature_scheme: scheme,
  };
  if (typeof o['kernel_name'] === 'string') info.kernel_name = o['kernel_name'];
  return info;
}

export function readConnectionFile(file: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConnectionFileError(
      `Cannot read connection file: ${e instanceof Error ? e.message : String(e)}`,
      file,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConnectionFileError(
      `Connection file is not JSON: ${e instanceof Error ? e.message : String(e)}`,
      file,
    );
  }
  return parseConnectionInfo(json, file);
}

/** ZeroMQ endpoint of one channel; ipc follows jupyter_client's `<ip>-<port>` path convention. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const p = channel === 'hb' ? info.hb_port : info[`${channel}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${p}` : `ipc://${info.ip}-${p}`;
}
