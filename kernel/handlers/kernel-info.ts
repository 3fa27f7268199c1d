/** kernel_info_reply: who we are and the language we speak (read from files, not by loading TS). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PROTOCOL_VERSION, type KernelInfoReply } from '../protocol/messages.js';
import type { Handler } from './context.js';

function readVersion(file: string | URL): string {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

let cached: KernelInfoReply | undefined;

export function kernelInfo(): KernelInfoReply {
  if (cached) return cached;
  // Resolving package.json reads one small file; importing `typescript` would cost ~0.3 s.
  let tsVersion = '5';
  try {
    tsVersion = readVersion(createRequire(import.meta.url).resolve('typescript/package.json'));
  } catch {
    // Not resolvable from here: keep the major version we build against.
  }
  // dist/kernel/handlers/kernel-info.js → the package root.
  const version = readVersion(new URL('../../../package.json', import.meta.url));
  cached = {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'agentkernel',
    implementation_version: version,
    language_info: {
      name: 'typescript',
      version: tsVersion,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      codemirror_mode: { name: 'javascript', typescript: true },
      pygments_lexer: 'typescript',
    },
    banner: `agentkernel ${version}: TypeScript ${tsVersion} on Node ${process.version}, for building and running AI agent workflows`,
    help_links: [
      {
        text: 'TypeScript handbook',
        url: 'https://www.typescriptlang.org/docs/handbook/intro.html',
      },
      { text: 'Node.js API', url: 'https://nodejs.org/api/' },
    ],
    debugger: false,
  };
  return cached;
}

export const handleKernelInfo: Handler<'kernel_info_request'> = (ctx) => {
  ctx.reply('kernel_info_reply', kernelInfo());
};
