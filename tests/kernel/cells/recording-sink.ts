/** A real OutputSink that records what a cell produced, for in-process engine tests. */
import type { DisplayOptions, MimeBundle, OutputSink } from '../../../kernel/output/sink.js';

export type Recorded =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { kind: 'display'; data: MimeBundle; options: DisplayOptions | undefined }
  | { kind: 'clear'; wait: boolean };

export class RecordingSink implements OutputSink {
  readonly events: Recorded[] = [];
  stream(name: 'stdout' | 'stderr', text: string): void {
    this.events.push({ kind: 'stream', name, text });
  }
  display(data: MimeBundle, options?: DisplayOptions): void {
    this.events.push({ kind: 'display', data, options });
  }
  clearOutput(wait: boolean): void {
    this.events.push({ kind: 'clear', wait });
  }
  input(): Promise<string> {
    return Promise.reject(new Error('stdin not allowed in tests'));
  }
  text(name: 'stdout' | 'stderr'): string {
    return this.events.map((e) => (e.kind === 'stream' && e.name === name ? e.text : '')).join('');
  }
  displays(): Extract<Recorded, { kind: 'display' }>[] {
    return this.events.filter(
      (e): e is Extract<Recorded, { kind: 'display' }> => e.kind === 'display',
    );
  }
}
