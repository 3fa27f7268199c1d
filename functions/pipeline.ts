/** Functions of workflows/data_pipeline.yaml: parse → validate → transform → format a CSV row. */
type Input = Record<string, unknown>;

export function parse_csv_row(input: Input): {
  name: string;
  value: string;
  category: string;
  field_count: number;
} {
  const fields = String(input.data ?? '')
    .split(',')
    .map((f) => f.trim());
  return {
    name: fields[0] ?? '',
    value: fields[1] ?? '',
    category: fields[2] ?? '',
    field_count: fields.length,
  };
}

export function validate_record(input: Input): {
  valid: boolean;
  errors: string[];
  numeric_value: number | null;
} {
  const errors: string[] = [];
  if (String(input.name ?? '') === '') errors.push('name is empty');
  const raw = String(input.value ?? '');
  const numeric = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(numeric)) errors.push(`value '${raw}' is not numeric`);
  return {
    valid: errors.length === 0,
    errors,
    numeric_value: Number.isFinite(numeric) ? numeric : null,
  };
}

export function transform_record(input: Input): {
  label: string;
  normalized: number | null;
  original: number | null;
} {
  const value = typeof input.numeric_value === 'number' ? input.numeric_value : null;
  return {
    label: `${String(input.name)} [${String(input.category)}]`,
    // round(value / 100, 4), as the Python pipeline does
    normalized: value === null ? null : Math.round((value / 100) * 10_000) / 10_000,
    original: value,
  };
}

export function format_report(input: Input): { report: string } {
  const lines = [
    `Record: ${String(input.label)}`,
    `Original: ${input.original === null ? 'n/a' : String(input.original)}`,
    `Normalized: ${input.normalized === null ? 'n/a' : String(input.normalized)}`,
    `Status: ${input.valid === true ? 'VALID' : 'INVALID'}`,
  ];
  return { report: lines.join('\n') };
}
