// A small reader of the Dockerfile instructions the image checks look at: enough to see the
// stages, users, copies and entrypoints of our own two files, not a full Dockerfile parser.

/** One instruction, with continuation lines joined. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** Index of the stage (FROM) it belongs to. */
  readonly stage: number;
}

/** The instructions of a Dockerfile, comments dropped and `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(whole);
    if (!match) throw new Error(`not an instruction: ${whole}`);
    const keyword = (match[1] as string).toUpperCase();
    if (keyword === 'FROM') stage++;
    instructions.push({ keyword, args: match[2] as string, stage });
  }
  return instructions;
}

/** The exec-form array of an ENTRYPOINT or CMD; undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Sources of a COPY (the last word is its destination); flags like --from are skipped. */
export function copySources(args: string): { sources: string[]; from: string | undefined } {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const rest = words.filter((w) => !w.startsWith('--'));
  return { sources: rest.slice(0, -1), from };
}
