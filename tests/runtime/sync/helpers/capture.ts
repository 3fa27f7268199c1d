/** Captures what the current process writes to stdout/stderr (the bridge relays worker output there). */
export interface Captured {
  /** Every write in order, tagged with its stream. */
  writes: { stream: 'stdout' | 'stderr'; text: string }[];
  restore(): void;
}

export function captureStdio(): Captured {
  const writes: Captured['writes'] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array) => {
      writes.push({
        stream,
        text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
      });
      return true;
    }) as typeof process.stdout.write;
  }
  return {
    writes,
    restore() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
