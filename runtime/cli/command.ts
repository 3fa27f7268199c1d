/**
 * One `agentkernel` subcommand. Commands write through `io` (never straight to process.stdout)
 * so tests can run them in-process and read what they printed.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Working directory the command resolves relative paths from. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where interactive commands (`replay --step-by-step`) read from; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /**
   * Which outputs are terminals (added by G2): live token streaming is shown only there. Absent
   * means neither (tests, pipes).
   */
  tty?: { stdout?: boolean; stderr?: boolean };
}

export interface CliCommand {
  name: string;
  /** One line for `agentkernel --help`. */
  summary: string;
  /** Full usage text for `agentkernel <name> --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}
