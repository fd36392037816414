/** The commands and their flags (commander); each command's work is in src/cli/commands/. */
import { Command, Option } from 'commander';
import { TRACE_COLUMNS } from '../output/trace.js';
import { runBifurcation } from './commands/bifurcation.js';
import { runDoctor } from './commands/doctor.js';
import { runMerge } from './commands/merge.js';
import { runSweep } from './commands/sweep.js';
import { runTrace } from './commands/trace.js';
import { MAX_FRAMES, runZoom } from './commands/zoom.js';
import { specOptions } from './inputs.js';
import type { CliIO } from './io.js';

declare const __LRSCOPE_VERSION__: string | undefined;
const VERSION = typeof __LRSCOPE_VERSION__ === 'string' ? __LRSCOPE_VERSION__ : '0.0.0-dev';

/** The command tree; parsing it sets `result.run` to the chosen command's work. */
export function program(io: CliIO, argv: readonly string[], result: { run?: () => Promise<number> }): Command {
  const output = { writeOut: (s: string) => void io.stdout.write(s), writeErr: (s: string) => io.stderr(s), outputError: () => {} };
  const root = new Command('lrscope')
    .description('Maps where a learning rate stops working: gradient-descent trajectories on WebGPU, classified as converged, converging, oscillating, stalled or diverged.')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output);
  const command = (name: string, description: string, run: (c: Command) => Promise<number>, spec = true) => {
    const c = root.command(name).description(description);
    if (spec) specOptions(c);
    c.exitOverride().action(() => {
      result.run = () => run(c);
    });
    c.configureOutput(output);
    c.showSuggestionAfterError(true);
    return c;
  };
  const out = (c: Command, flags: string, help: string) => c.addOption(new Option(flags, help).helpGroup('Output:'));

  const trace = command('trace', 'print one trajectory step by step, as the seed prints it', (c) => runTrace(c, argv, io));
  out(trace, '--columns <list>', `columns to print, from ${TRACE_COLUMNS.join(', ')} (default lr,step,w,loss)`);
  out(trace, '--format <format>', 'plain (space-separated, no header; default), csv or json');
  out(trace, '--out <file>', 'write to this file instead of stdout');

  const sweep = command('sweep', 'run a grid of trajectories and classify each one', (c) => runSweep(c, argv, io));
  out(sweep, '--format <format>', 'summary (default), json, csv, png, arrow (an Apache Arrow IPC file) or part (with --shard)');
  out(sweep, '--out <file>', 'write json, csv, png or arrow to this file (the summary still goes to stdout)');
  out(sweep, '--columns <list>', 'fields of csv, json or arrow output, e.g. lr,decayRate,regime,finalLoss (default: every swept parameter, regime, regimeStep, finalLoss, finalW, peak, rate, and with --trainability trainable, score)');
  out(sweep, '--color <what>', 'what a png map\'s colours show: regime (default) or trainability, the score of Sohl-Dickstein (2024) (turns on --trainability)');
  out(sweep, '--no-theory', 'leave the analytic boundary off the png map');
  out(sweep, '--shard <K/N>', 'compute only shard K of N (contiguous slices of the grid, in grid order) and write a part file to --out, for lrscope merge');
  sweep.addOption(new Option('--kernel <shape>', 'auto (tuned once per adapter, default), default, or lanes=1|2|4|8,workgroup=N,block=N').helpGroup('Engine:'));

  const merge = command('merge', 'put the part files of a sweep run with --shard K/N together into any of its outputs', (c) => runMerge(c, io), false);
  merge.argument('<part...>', 'part files, every shard 1 … N once, in any order');
  out(merge, '--format <format>', 'summary (default), json, csv, png or arrow, as sweep writes them');
  out(merge, '--out <file>', 'write json, csv, png or arrow to this file (the summary still goes to stdout)');
  out(merge, '--columns <list>', 'fields of csv, json or arrow output, as in sweep');
  out(merge, '--color <what>', "what a png map's colours show: regime (default) or trainability (parts run with --trainability)");
  out(merge, '--no-theory', 'leave the analytic boundary off the png map');

  const bifurcation = command('bifurcation', 'for each learning rate of a sweep over --lr, the last iterates of w: period doubling and chaos', (c) => runBifurcation(c, argv, io));
  out(bifurcation, '--tail <count>', 'how many final iterates to keep per learning rate, 1 to --steps (default 100, or --steps if fewer)');
  out(bifurcation, '--component <index>', 'which coordinate of w to plot for an n-D objective (default 0)');
  out(bifurcation, '--format <format>', 'summary (default: the period along lr), json, csv (lr,step,w) or png');
  out(bifurcation, '--out <file>', 'write json, csv or png to this file (the summary still goes to stdout)');

  const zoom = command(
    'zoom',
    'zoom into a map of two swept axes: numbered PNG frames, each computed afresh at factor^i magnification about --center, with an index (frames.csv)',
    (c) => runZoom(c, argv, io),
  );
  const zoomOption = (flags: string, help: string) => zoom.addOption(new Option(flags, help).helpGroup('Zoom:'));
  zoomOption('--center <X,Y>', "the point zoomed into, in the axes' own values, inside the view (default its middle); it keeps its place in every frame");
  zoomOption('--factor <F>', 'magnification from one frame to the next, above 1 (frame i is F^i times frame 0): in log space on a log axis, linear on a linear one');
  zoomOption('--frames <N>', `how many frames, 1 to ${MAX_FRAMES} (frame 0 is the map of the axes given)`);
  // The spec's --precision, with the zoom's own default.
  zoom.options.find((o) => o.long === '--precision')!.description =
    'auto (default): float32 while it tells neighbouring values of each axis apart, df64 from the first frame where it does not; or float32 or df64 throughout';
  out(zoom, '--out-dir <dir>', "the folder the frames go to (made if missing): PREFIX-0000.png, PREFIX-0001.png, … and frames.csv (frame, file, magnification, precision, the axes' ranges with every digit, seconds)");
  out(zoom, '--prefix <name>', "start of each frame's file name (default frame)");
  out(zoom, '--color <what>', "what the maps' colours show: regime (default) or trainability (turns on --trainability)");
  out(zoom, '--no-theory', 'leave the analytic boundary off the maps');
  zoom.addOption(new Option('--kernel <shape>', 'auto (tuned once per adapter, default), default, or lanes=1|2|4|8,workgroup=N,block=N').helpGroup('Engine:'));

  const doctor = command('doctor', 'report the WebGPU adapter, or say what to install', (c) => runDoctor(c, io), false);
  doctor.option('--tune', 'time every kernel shape on this adapter and cache the fastest');
  return root;
}
