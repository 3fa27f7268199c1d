/** Formatting helpers for sample 07 (`formatters.<export>`). */
type Input = Record<string, unknown>;

/** `{report: "# Report\n\n<text>\n"}`. */
export function format_markdown(input: Input): { report: string } {
  return { report: `# Report\n\n${String(input.text ?? '')}\n` };
}
