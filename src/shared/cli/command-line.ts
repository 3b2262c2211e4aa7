import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** Prints `<program>: <message>` and exits 2, the usual code for a usage error. */
export function exitWithUsageError(program: string, message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(2);
}

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a program's flags (plus -h/--help, which prints `help` and exits 0); an unknown
 * or malformed flag is a usage error.
 */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(
  program: string,
  help: string,
  options: T,
  args?: string[],
) {
  let parsed: ReturnType<typeof parseArgs<{ options: T & typeof helpOption; args: string[] | undefined }>>;
  try {
    parsed = parseArgs({ args, options: { ...options, ...helpOption } });
  } catch (error) {
    exitWithUsageError(program, `${(error as Error).message} (see --help)`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    process.exit(0);
  }
  return parsed.values;
}
