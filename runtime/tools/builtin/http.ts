/**
 * `tools.http`: GET/POST/PUT/PATCH/DELETE/HEAD over http(s) with an optional host allowlist.
 * Private, loopback and link-local targets are refused unless `http.allow_private: true` — and the
 * check is made on the address the socket ACTUALLY connects to: the request's `lookup` hook
 * resolves the name, vets every address, and hands only vetted ones to the connection, so a DNS
 * answer that changes between a check and the connect (DNS rebinding) cannot slip through.
 * Redirects are not followed (a redirect to an internal address would bypass the check); the 3xx
 * comes back to the caller. Responses are capped (1 MB by default).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ToolDeniedError, AgentkernelError } from '../../errors.js';
import type { JsonObject } from '../../json.js';
import type { Tool, ToolContext } from '../tool.js';
import { isPrivateAddress } from './address-policy.js';

export const HTTP_DEFAULT_TIMEOUT_MS = 30_000;
export const HTTP_DEFAULT_MAX_BYTES = 1_000_000;

/** A resolver in `dns.lookup(..., {all: true})` form; tests inject one that maps names to 127.0.0.1. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface HttpToolOptions {
  /** Host names (exact, or `*.example.com`) the tool may call; empty = any public host. */
  allowlist?: string[];
  /** Allow private/loopback/link-local targets (e.g. for an internal API). */
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  resolver?: Resolver;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

export function createHttpTool(options: HttpToolOptions = {}): Tool {
  const allowlist = options.allowlist ?? [];
  const resolver = options.resolver ?? systemResolver;
  const maxBytes = options.maxBytes ?? HTTP_DEFAULT_MAX_BYTES;
  return {
    name: 'tools.http',
    description:
      'Makes an HTTP request (GET, POST, PUT, PATCH, DELETE, HEAD) to a public http(s) URL and returns {status, headers, body}. Private and internal addresses are refused.',
    inputSchema: {
      type: 'object',
      properties: {
        url: { type: 'string', description: 'http:// or https:// URL' },
        method: { type: 'string', enum: [...METHODS] },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: { type: 'string', description: 'raw request body' },
        json_body: { description: 'sent as JSON (sets content-type)' },
      },
      required: ['url'],
      additionalProperties: false,
    },
    async execute(input, ctx) {
      const url = parseUrl(String(input.url));
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (allowlist.length > 0 && !allowlist.some((pattern) => hostMatches(host, pattern)))
        throw new ToolDeniedError(
          `tools.http: host '${host}' is not on the allowlist (http.allowlist in runtime.yaml: ${allowlist.join(', ')})`,
          { details: { host } },
        );
      // An IP literal never goes through `lookup`: check it here.
      if (isIP(host) && !options.allowPrivate && isPrivateAddress(host))
        throw privateRefusal(host, host);
      const lookup: LookupFunction = (hostname, opts, callback) => {
        resolver(hostname).then(
          (addresses) => {
            const usable = options.allowPrivate
              ? addresses
              : addresses.filter((a) => !isPrivateAddress(a.address));
            if (usable.length === 0) {
              callback(
                privateRefusal(
                  hostname,
                  addresses.map((a) => a.address).join(', ') || 'no address',
                ),
                '',
                4,
              );
              return;
            }
            if ((opts as { all?: boolean }).all)
              (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
            else callback(null, usable[0]!.address, usable[0]!.family);
          },
          (error: Error) =>
            callback(
              Object.assign(error, { code: (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND' }),
              '',
              4,
            ),
        );
      };
      return request(
        url,
        input,
        lookup,
        ctx,
        options.timeoutMs ?? HTTP_DEFAULT_TIMEOUT_MS,
        maxBytes,
      );
    },
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolDeniedError(`tools.http: '${text}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ToolDeniedError(
      `tools.http: only http and https URLs are allowed, not ${url.protocol}`,
    );
  return url;
}

function hostMatches(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
}

function privateRefusal(host: string, address: string): ToolDeniedError {
  return new ToolDeniedError(
    `tools.http: refusing to connect to ${host} (${address}): private, loopback, link-local or reserved address (set http.allow_private: true in runtime.yaml to allow internal targets)`,
    { details: { host, address } },
  );
}

function request(
  url: URL,
  input: JsonObject,
  lookup: LookupFunction,
  ctx: ToolContext,
  timeoutMs: number,
  maxBytes: number,
): Promise<JsonObject> {
  const method = typeof input.method === 'string' ? input.method.toUpperCase() : 'GET';
  const headers: Record<string, string> = {};
  if (input.headers && typeof input.headers === 'object' && !Array.isArray(input.headers))
    for (const [k, v] of Object.entries(input.headers)) headers[k] = String(v);
  let payload: string | undefined;
  if (input.json_body !== undefined) {
    payload = JSON.stringify(input.json_body);
    headers['content-type'] ??= 'application/json';
  } else if (typeof input.body === 'string') payload = input.body;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method, headers, lookup, signal: ctx.signal, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          size += chunk.length;
          if (size > maxBytes) {
            truncated = true;
            chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
        });
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          const body = Buffer.concat(chunks).toString('utf8');
          const out: JsonObject = {
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [
                k,
                Array.isArray(v) ? v.join(', ') : (v ?? ''),
              ]),
            ),
            body,
            ...(truncated && { truncated: true }),
          };
          resolve(out);
        };
        res.on('end', finish);
        res.on('error', (e) => (truncated ? undefined : reject(e)));
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new AgentkernelError(
          'AR-STEP-TIMEOUT',
          `tools.http: no response from ${url.host} within ${timeoutMs}ms`,
        ),
      ),
    );
    req.on('error', (error) => reject(error));
    req.end(payload);
  });
}
