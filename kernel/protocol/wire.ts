/**
 * Multipart wire format (messaging spec "The Wire Protocol"):
 *   [identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]
 * The signature is the hex HMAC of the four JSON frames only (never the buffers), with the
 * algorithm named by the connection file's `signature_scheme`. An empty key means no signing.
 * Incoming signatures are compared with `crypto.timingSafeEqual`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseMessage, MalformedMessageError, type IncomingMessage } from './messages.js';

export const DELIMITER = Buffer.from('<IDS|MSG>');

export class Signer {
  private readonly key: Buffer;
  private readonly algorithm: string;

  /** `scheme` is the connection file's signature_scheme, e.g. "hmac-sha256". */
  constructor(key: string, scheme = 'hmac-sha256') {
    this.key = Buffer.from(key, 'utf8');
    if (!scheme.startsWith('hmac-')) {
      throw new MalformedMessageError(
        `Unsupported signature_scheme '${scheme}': expected hmac-<digest>`,
      );
    }
    this.algorithm = scheme.slice('hmac-'.length);
    // Fail at start-up, not on the first message, when the digest is not one OpenSSL knows.
    createHmac(this.algorithm, 'probe');
  }

  get enabled(): boolean {
    return this.key.length > 0;
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.enabled) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest('hex');
  }

  verify(signature: Buffer, frames: readonly Buffer[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(frames), 'utf8');
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

/** What the reader loops get for each multipart message: a message, or why it was dropped. */
export type DecodeResult =
  | { ok: true; message: IncomingMessage }
  | {
      ok: false;
      reason: 'no-delimiter' | 'too-few-frames' | 'bad-signature' | 'bad-json' | 'bad-header';
      detail: string;
    };

/** Splits off the identities and checks the signature, without parsing JSON. */
export function splitFrames(
  frames: readonly Buffer[],
): { identities: Buffer[]; signature: Buffer; dicts: Buffer[]; buffers: Buffer[] } | undefined {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) return undefined;
  return {
    identities: frames.slice(0, at),
    signature: frames[at + 1]!,
    dicts: frames.slice(at + 2, at + 6),
    buffers: frames.slice(at + 6),
  };
}

/** Decodes and verifies one multipart message. Never throws: malformed input is reported. */
export function decode(frames: readonly Buffer[], signer: Signer): DecodeResult {
  if (frames.findIndex((f) => f.equals(DELIMITER)) < 0) {
    return {
      ok: false,
      reason: 'no-delimiter',
      detail: `${frames.length} frames without <IDS|MSG>`,
    };
  }
  const split = splitFrames(frames);
  if (!split) return { ok: false, reason: 'too-few-frames', detail: `${frames.length} frames` };
  if (!signer.verify(split.signature, split.dicts)) {
    return { ok: false, reason: 'bad-signature', detail: 'HMAC signature missing or wrong' };
  }
  let json: unknown[];
  try {
    json = split.dicts.map((f) => JSON.parse(f.toString('utf8')) as unknown);
  } catch (e) {
    return { ok: false, reason: 'bad-json', detail: e instanceof Error ? e.message : String(e) };
  }
  try {
    const message = parseMessage({
      identities: split.identities,
      header: json[0],
      parent_header: json[1],
      metadata: json[2],
      content: json[3],
      buffers: split.buffers,
    });
    return { ok: true, message };
  } catch (e) {
    return { ok: false, reason: 'bad-header', detail: e instanceof Error ? e.message : String(e) };
  }
}

/** The parts of an outgoing message; `content` is any JSON-serialisable object. */
export interface OutgoingParts {
  identities: readonly Buffer[];
  header: object;
  parent_header: object;
  metadata: object;
  content: object;
  buffers?: readonly Buffer[];
}

export function encode(msg: OutgoingParts, signer: Signer): Buffer[] {
  const dicts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((d) =>
    Buffer.from(JSON.stringify(d), 'utf8'),
  );
  const signature = Buffer.from(signer.sign(dicts), 'utf8');
  return [...msg.identities, DELIMITER, signature, ...dicts, ...(msg.buffers ?? [])];
}
