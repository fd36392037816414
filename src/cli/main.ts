/**
 * The `lrscope` command line: `trace`, `sweep`, `merge`, `bifurcation` and `doctor`.
 *
 * `main` takes its arguments and I/O as parameters and returns the exit code,
 * so tests run it in-process. Every error a user can act on becomes one line
 * on stderr and an exit code (src/cli/io.ts), never a stack trace.
 */
import { CommanderError } from 'commander';
import { CancelledError, NoAdapterError, SpecError } from '../errors.js';
import { acceptedForms, keyOfFlag, PARAMS } from '../experiment/index.js';
import { checkRepeatedFlags } from './inputs.js';
import { EXIT, type CliIO } from './io.js';
import { program } from './program.js';

export { EXIT, type CliIO } from './io.js';

/** One line for a commander error: the flag, what is wrong, what to do. */
function commanderMessage(error: CommanderError, argv: readonly string[]): string {
  const message = error.message.replace(/^error: /, '').split('\n');
  const command = argv[0] && !argv[0].startsWith('-') ? `lrscope ${argv[0]}` : 'lrscope';
  const hint = message[1]?.replace(/^\(|\)$/g, '');
  switch (error.code) {
    case 'commander.unknownOption': {
      const flag = /'([^']+)'/.exec(message[0]!)?.[1] ?? 'option';
      return `${flag}: is not a flag of ${command}${hint ? ` (${hint.toLowerCase()})` : ''}; see ${command} --help`;
    }
    case 'commander.optionMissingArgument': {
      const flag = /'(--[\w-]+)/.exec(message[0]!)?.[1] ?? 'option';
      const key = keyOfFlag(flag.slice(2));
      const accepted = key ? acceptedForms(PARAMS[key]) : 'a value';
      return `${flag}: a value is missing; expected ${accepted}`;
    }
    case 'commander.missingArgument': {
      const name = /'([^']+)'/.exec(message[0]!)?.[1] ?? 'argument';
      return `${name.toUpperCase()}: is missing; expected one or more, as in ${command} ${name.toUpperCase()}… (see ${command} --help)`;
    }
    case 'commander.unknownCommand':
    case 'commander.excessArguments': {
      const word = /'([^']+)'/.exec(message[0]!)?.[1] ?? argv[0];
      return `${word}: is not a command of lrscope${hint ? ` (${hint.toLowerCase()})` : ''}; expected trace, sweep, zoom, merge, bifurcation or doctor`;
    }
    default:
      return message.join(' ');
  }
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const result: { run?: () => Promise<number> } = {};
  const root = program(io, argv, result);
  try {
    if (argv.length === 0) {
      await io.stdout.write(root.helpInformation());
      return EXIT.ok;
    }
    checkRepeatedFlags(argv);
    await root.parseAsync(argv as string[], { from: 'user' });
    if (!result.run) return EXIT.ok;
    return await result.run();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      io.stderr(`lrscope: ${commanderMessage(e, argv)}\n`);
      return EXIT.badInput;
    }
    if (e instanceof SpecError) {
      io.stderr(`lrscope: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof NoAdapterError) {
      io.stderr(`lrscope: ${e.message}\n`);
      return EXIT.noGpu;
    }
    if (e instanceof CancelledError) {
      io.stderr('lrscope: cancelled; no output file was written\n');
      return EXIT.cancelled;
    }
    io.stderr(`lrscope: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.LRSCOPE_DEBUG) io.stderr(`${(e as Error).stack}\n`);
    return EXIT.failed;
  }
}
