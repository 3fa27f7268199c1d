/**
 * Output `regex` rules are written in Python `re` syntax (the Python runtime's files). Kept apart
 * from the loader so the engine can check outputs without loading the YAML parser.
 */

/**
 * Python `re` syntax mostly compiles in JS; named groups are the common difference, so translate
 * `(?P<name>…)` / `(?P=name)` before compiling. Returns the compile error message, if any.
 */
export function toJsRegexSource(pattern: string): string {
  return pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
}
