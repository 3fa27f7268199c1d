/**
 * `agentkernel validate <file>`: loads a workflow with the project's functions and prints every
 * diagnostic (errors and warnings) with its position and excerpt. Exit 1 when any is an error.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { agentCatalogOption } from '../agents/project-catalog.js';
import { analyzeWorkflow } from '../definition/load.js';
import { openProject, findProjectDir } from '../engine/project.js';
import { formatDiagnostic, isAgentkernelError } from '../errors.js';
import type { CliCommand } from './command.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check a workflow file and print every problem with file:line:col',
  usage: 'Usage: agentkernel validate <file.yaml> [--project DIR]',
  async run(args, io) {
    const files: string[] = [];
    let projectFlag: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--project') projectFlag = args[++i];
      else if (arg.startsWith('-')) {
        io.stderr(`agentkernel validate: unknown option ${arg}\n\n${this.usage}\n`);
        return 2;
      } else files.push(arg);
    }
    if (files.length !== 1) {
      io.stderr(`agentkernel validate: expected exactly one workflow file\n\n${this.usage}\n`);
      return 2;
    }
    const file = path.resolve(io.cwd, files[0]!);
    try {
      const text = await readFile(file, 'utf8');
      const projectDir =
        projectFlag !== undefined
          ? path.resolve(io.cwd, projectFlag)
          : findProjectDir(file, io.cwd);
      const project = await openProject({ projectDir });
      const { definition, diagnostics } = analyzeWorkflow(text, {
        file,
        baseDir: project.dir,
        functions: project.functions,
        // G2: unknown agent names are reported like unknown functions.
        ...(await agentCatalogOption(project.config.agentsDir, text)),
      });
      for (const d of diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.length - errors;
      if (errors > 0 || !definition) {
        io.stdout(`✗ ${file}: ${errors} error(s), ${warnings} warning(s)\n`);
        return 1;
      }
      io.stdout(
        `✓ ${definition.id}@${definition.version} (${definition.steps.length} steps) is valid${warnings ? `, ${warnings} warning(s)` : ''}\n`,
      );
      return 0;
    } catch (e) {
      const code = isAgentkernelError(e) ? `[${e.code}] ` : '';
      const missing =
        (e as NodeJS.ErrnoException).code === 'ENOENT' ? `Workflow file not found: ${file}` : null;
      io.stderr(`Error ${code}${missing ?? (e instanceof Error ? e.message : String(e))}\n`);
      return 1;
    }
  },
};
