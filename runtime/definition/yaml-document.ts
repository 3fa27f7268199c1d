/**
 * The start every checked YAML file shares (runtime.yaml, agent files): parse with positions,
 * report syntax errors, and the `schema_version: v1` check.
 */
import { isScalar, LineCounter, parseDocument } from 'yaml';
import { DiagnosticCollector, yamlErrorOffset } from './diagnostics.js';
import { normalizeVersion } from './load.js';
import { YamlReader, type Entry } from './yaml-read.js';

export interface ParsedYaml {
  out: DiagnosticCollector;
  /** Undefined when the text has syntax errors (already reported in `out`). */
  reader?: YamlReader;
}

/**
 * Parses `text` from `file`. On syntax errors it reports one YAML_SYNTAX diagnostic each and
 * returns no reader: a broken tree would only produce misleading follow-on diagnostics.
 */
export function parseYamlFile(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const out = new DiagnosticCollector(file, text, lineCounter);
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      out.error('YAML_SYNTAX', yamlErrorOffset(text, e), e.message.split('\n')[0]!);
    return { out };
  }
  return { out, reader: new YamlReader(doc, out) };
}

/** Reports UNSUPPORTED_SCHEMA_VERSION unless `schema` reads as v1 (`v1`, `1`, `1.0`…). */
export function checkSchemaVersion(r: YamlReader, schema: Entry): void {
  const v =
    isScalar(schema.value) &&
    (typeof schema.value.value === 'string' || typeof schema.value.value === 'number')
      ? normalizeVersion(schema.value.value)
      : undefined;
  if (v !== 'v1')
    r.out.error(
      'UNSUPPORTED_SCHEMA_VERSION',
      schema.at,
      `schema_version must be v1, not ${r.describe(schema.value)}`,
    );
}
