#!/usr/bin/env python3
"""Compares lrscope's `--convention torch` with PyTorch itself, step by step.

Every optimizer runs in both on a few quadratics f(w) = Σ ½·Lᵢ·(wᵢ − cᵢ)²,
from the same float32 start, and torch.optim is handed lrscope's float32
gradient Lᵢ·(wᵢ − cᵢ), so that only the optimizers' arithmetic is compared.
Two measures, per optimizer, over every step of every quadratic:

- one step: lrscope's update rule (scripts/compare-torch-steps.js runs the
  CPU engine's rule, which the GPU engine matches bit for bit) applied to the
  state PyTorch was in before each of its steps. Compared are the update
  (the step taken from w = 0, so before it is added to w) and the new w.
- trajectories: lrscope's own run (`lrscope trace --format json`) against
  PyTorch's, the deviation |Δw| relative to the distance |w₀ − c| to
  travel, over the first 10 steps, at step 100 and after it.

Then it compares the rates of PyTorch's lr_schedulers with lrscope's, in
float32, step by step.

Not part of the test suite: PyTorch is too heavy for CI. Run it with a
Python that has torch (Debian 12: apt-get install python3-torch, then
/usr/bin/python3) after `npm run build:lib`:

    /usr/bin/python3 scripts/compare-torch.py [--steps 200]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from copy import deepcopy

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, 'dist', 'cli.js')
STEPPER = os.path.join(ROOT, 'scripts', 'compare-torch-steps.js')

# (curvature L, minimum c, start w₀): one, two and three dimensions, the
# second ill-conditioned (κ = 100).
QUADRATICS = [
    ([2.0], [-1.0], [5.0]),
    ([1.0, 100.0], [-1.0, 1.0], [5.0, 3.0]),
    ([0.5, 4.0, 30.0], [2.0, -3.0, 0.5], [-1.0, 1.0, 4.0]),
]

O = torch.optim
# label, lrscope optimizer, its hyperparameters beyond the torch defaults
# (lrscope's torch defaults are PyTorch's), the torch.optim equivalent, and
# the learning rate for a quadratic of largest curvature Lmax.
OPTIMIZERS = [
    ('gd', 'gd', {}, lambda p, lr: O.SGD(p, lr=lr), lambda lmax: 0.5 / lmax),
    ('momentum', 'momentum', {}, lambda p, lr: O.SGD(p, lr=lr, momentum=0.9), lambda lmax: 0.5 / lmax),
    ('nesterov', 'nesterov', {}, lambda p, lr: O.SGD(p, lr=lr, momentum=0.9, nesterov=True), lambda lmax: 0.5 / lmax),
    ('adam', 'adam', {}, lambda p, lr: O.Adam(p, lr=lr), lambda lmax: 0.1),
    ('rmsprop', 'rmsprop', {}, lambda p, lr: O.RMSprop(p, lr=lr), lambda lmax: 0.01),
    ('rmsprop, momentum 0.9', 'rmsprop', {'momentum': 0.9}, lambda p, lr: O.RMSprop(p, lr=lr, momentum=0.9), lambda lmax: 0.01),
    ('rmsprop, centered', 'rmsprop', {'centered': 1}, lambda p, lr: O.RMSprop(p, lr=lr, centered=True), lambda lmax: 0.01),
    ('adagrad', 'adagrad', {}, lambda p, lr: O.Adagrad(p, lr=lr), lambda lmax: 0.5),
    ('adadelta', 'adadelta', {}, lambda p, lr: O.Adadelta(p, lr=lr), lambda lmax: 1.0),
]

# PyTorch's name of each state tensor that lrscope keeps per dimension, and lrscope's.
SLOTS = {
    'gd': {},
    'momentum': {'momentum_buffer': 'accum'},
    'nesterov': {'momentum_buffer': 'accum'},
    'adam': {'exp_avg': 'm', 'exp_avg_sq': 'v'},
    'rmsprop': {'square_avg': 'ms', 'momentum_buffer': 'mom', 'grad_avg': 'mg'},
    'adagrad': {'sum': 'accum'},
    'adadelta': {'square_avg': 'accum', 'acc_delta': 'accumUpdate'},
}

S = O.lr_scheduler
# label, lrscope flags, the torch.optim.lr_scheduler equivalent (of an
# optimizer with lr 0.1, and the run's length in steps).
SCHEDULES = [
    ('StepLR', ['--schedule', 'step-lr', '--decay-steps', '7', '--decay-rate', '0.5'], lambda o, n: S.StepLR(o, step_size=7, gamma=0.5)),
    ('MultiStepLR', ['--schedule', 'multi-step-lr', '--boundaries', '[30,80]', '--decay-rate', '0.1'], lambda o, n: S.MultiStepLR(o, milestones=[30, 80], gamma=0.1)),
    ('ExponentialLR', ['--schedule', 'exponential-lr', '--decay-rate', '0.97'], lambda o, n: S.ExponentialLR(o, gamma=0.97)),
    ('CosineAnnealingLR', ['--schedule', 'cosine-annealing-lr', '--decay-steps', '50', '--eta-min', '0.001'], lambda o, n: S.CosineAnnealingLR(o, T_max=50, eta_min=0.001)),
    ('CosineAnnealingWarmRestarts', ['--schedule', 'cosine-annealing-warm-restarts', '--decay-steps', '10', '--t-mult', '2'], lambda o, n: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2)),
    ('OneCycleLR', ['--schedule', 'one-cycle-lr', '--decay-steps', '{steps+1}'], lambda o, n: S.OneCycleLR(o, max_lr=0.1, total_steps=n + 1, cycle_momentum=False)),
    ('CyclicLR', ['--schedule', 'cyclic-lr', '--max-lr', '0.5', '--step-size-up', '10'], lambda o, n: S.CyclicLR(o, base_lr=0.1, max_lr=0.5, step_size_up=10, cycle_momentum=False)),
    ('LinearLR', ['--schedule', 'linear-lr', '--start-factor', '0.25', '--total-iters', '40'], lambda o, n: S.LinearLR(o, start_factor=0.25, total_iters=40)),
    ('PolynomialLR', ['--schedule', 'polynomial-lr', '--total-iters', '60', '--power', '2'], lambda o, n: S.PolynomialLR(o, total_iters=60, power=2.0)),
]


def vector(values):
    return f"[{','.join(repr(float(v)) for v in values)}]"


def optimizer_flags(optimizer, values):
    flags = ['--optimizer', optimizer]
    for key, value in values.items():
        flags += ['--centered'] if key == 'centered' else [f'--{key}', repr(value)]
    return flags


def lrscope_trace(flags, steps):
    """Rows of `lrscope trace --format json --columns lr,w`: lr(k) and w after step k, k = 1 … steps."""
    command = ['node', CLI, 'trace', '--convention', 'torch', '--engine', 'cpu', '--steps', str(steps), '--format', 'json', '--columns', 'lr,w', *flags]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"lrscope failed ({' '.join(command)}):\n{result.stderr}")
    rows = json.loads(result.stdout)['rows']
    return np.array([[np.nan if x is None else x for x in row] for row in rows], dtype=np.float64).astype(np.float32)


def lrscope_steps(runs):
    """lrscope's w after one update from each given state (scripts/compare-torch-steps.js)."""
    result = subprocess.run(['node', STEPPER], input=json.dumps(runs), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f'scripts/compare-torch-steps.js failed:\n{result.stderr}')
    return [np.array(r, dtype=np.float64).astype(np.float32) for r in json.loads(result.stdout)]


def floats(tensor):
    return [float(x) for x in tensor.detach().numpy()]


def torch_run(optimizer, make, lr, L, c, w0, steps):
    """PyTorch's run on float32 tensors: w after each step, each step's update
    (the same step taken by a copy from w = 0), and the state before each step."""
    L, c = torch.tensor(L, dtype=torch.float32), torch.tensor(c, dtype=torch.float32)
    w = torch.tensor(w0, dtype=torch.float32, requires_grad=True)
    opt = make([w], lr)
    after = np.empty((steps, len(w0)), dtype=np.float32)
    updates = np.empty((steps, len(w0)), dtype=np.float32)
    before = []
    for k in range(steps):
        with torch.no_grad():
            w.grad = L * (w - c)
        state = opt.state.get(w, {})  # (indexing would create an empty state)
        slots = {name: floats(state[key]) for key, name in SLOTS[optimizer].items() if isinstance(state.get(key), torch.Tensor)}
        before.append({'lr': opt.param_groups[0]['lr'], 'w': floats(w), 'g': floats(w.grad), 'slots': slots})
        probe = torch.zeros_like(w, requires_grad=True)
        copy = make([probe], lr)
        copy.load_state_dict(deepcopy(opt.state_dict()))
        probe.grad = w.grad.clone()
        copy.step()
        updates[k] = probe.detach().numpy()
        opt.step()
        after[k] = w.detach().numpy()
    return after, updates, before


def relative(ours, theirs, scale):
    """|ours − theirs| / scale per element, 0 where they are equal (in double)."""
    ours, theirs = ours.astype(np.float64), theirs.astype(np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(ours == theirs, 0.0, np.abs(ours - theirs) / scale)


def fmt(x):
    return '0' if x == 0 else f'{x:.1e}'


def compare_optimizers(steps):
    print(f"optimizers, convention torch: {steps} steps on each of {len(QUADRATICS)} quadratics, L = {', '.join(vector(q[0]) for q in QUADRATICS)}")
    rows, runs, pending = [], [], []
    for label, optimizer, values, make, lr_for in OPTIMIZERS:
        row = {'total': 0, 'u_same': 0, 'u_rel': 0.0, 'w_same': 0, 'w_rel': 0.0, 'run_same': 0, 'first': 0.0, 'at100': 0.0, 'after': 0.0}
        rows.append((label, row))
        for L, c, w0 in QUADRATICS:
            lr = float(np.float32(lr_for(max(L))))
            flags = [*optimizer_flags(optimizer, values), '--lr', repr(lr), '--curvature', vector(L), '--minimum', vector(c), '--w0', vector(w0)]
            run = lrscope_trace(flags, steps)[:, 1:]
            theirs, updates, before = torch_run(optimizer, make, lr, L, c, w0, steps)
            deviation = relative(run, theirs, np.abs(np.array(w0) - np.array(c))).max(axis=1)
            row['total'] += steps
            row['run_same'] += int((run == theirs).all(axis=1).sum())
            row['first'] = max(row['first'], deviation[:10].max())
            row['at100'] = max(row['at100'], deviation[99])
            row['after'] = max(row['after'], deviation[100:].max(initial=0))
            base = {'optimizer': optimizer, 'convention': 'torch', 'values': values}
            runs += [{**base, 'steps': before}, {**base, 'steps': [{**s, 'w': [0.0] * len(w0)} for s in before]}]
            pending.append((row, theirs, updates, np.array([s['w'] for s in before], dtype=np.float64)))

    results = lrscope_steps(runs)
    for i, (row, theirs, updates, start) in enumerate(pending):
        new_w, update = results[2 * i], results[2 * i + 1]
        row['u_same'] += int((update == updates).all(axis=1).sum())
        row['u_rel'] = max(row['u_rel'], relative(update, updates, np.abs(updates.astype(np.float64))).max())
        row['w_same'] += int((new_w == theirs).all(axis=1).sum())
        row['w_rel'] = max(row['w_rel'], relative(new_w, theirs, np.maximum(np.abs(start), np.abs(theirs.astype(np.float64)))).max())

    print("one step from PyTorch's state: steps whose update (the change of w, taken from w = 0) is bit-identical, and the")
    print("largest relative difference of the update; steps whose new w is bit-identical, and the largest |Δw|/max(|w|, |w'|).")
    print("trajectories, each run on its own: steps whose w is bit-identical, and the largest |Δw|/|w₀ − c| in steps 1–10,")
    print("at step 100 and after it.\n")
    print(f"{'':<24}{'one step: update':>22}{'new w':>20}   {'trajectories':>12}")
    print(f"{'optimizer':<24}{'same':>13}{'rel.':>9}{'same':>12}{'rel.':>8}   {'same':>12}{'1–10':>9}{'100':>9}{f'101–{steps}':>9}")
    for label, r in rows:
        u, w, t = f"{r['u_same']}/{r['total']}", f"{r['w_same']}/{r['total']}", f"{r['run_same']}/{r['total']}"
        print(f"{label:<24}{u:>13}{fmt(r['u_rel']):>9}{w:>12}{fmt(r['w_rel']):>8}   {t:>12}{fmt(r['first']):>9}{fmt(r['at100']):>9}{fmt(r['after']):>9}")


def compare_schedules(steps):
    print(f"\nschedules: lr(k) for k = 1 … {steps}, PyTorch's rate (a double) rounded to float32, against lrscope's")
    for label, flags, make in SCHEDULES:
        ours = lrscope_trace([*(f.replace('{steps+1}', str(steps + 1)) for f in flags), '--lr', '0.1'], steps)[:, 0]
        w = torch.zeros(1, requires_grad=True)
        opt = O.SGD([w], lr=0.1)
        scheduler = make(opt, steps)
        theirs = np.empty(steps, dtype=np.float32)
        for k in range(steps):
            opt.step()
            scheduler.step()
            theirs[k] = np.float32(opt.param_groups[0]['lr'])
        same = int((ours == theirs).sum())
        apart = np.abs(ours.view(np.int32).astype(np.int64) - theirs.view(np.int32).astype(np.int64)).max()
        print(f"  {label:<30}{'bit-identical' if same == steps else f'{same}/{steps} identical, at most {apart} ulps apart'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=200, help='steps per run (at least 101; 200 by default)')
    args = parser.parse_args()
    if args.steps <= 100:
        sys.exit('--steps: more than 100')
    if not os.path.exists(CLI):
        sys.exit('dist/cli.js is missing: run npm run build:lib first')
    torch.set_num_threads(1)
    node = subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
    capability = next((line.split(':', 1)[1].strip() for line in torch.__config__.show().splitlines() if 'CPU capability' in line), 'unknown')
    print(f"PyTorch {torch.__version__} on the CPU ({platform.machine()} {platform.system()}, {capability} kernels), Python {platform.python_version()}, Node {node}\n")
    started = time.perf_counter()
    compare_optimizers(args.steps)
    compare_schedules(args.steps)
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == '__main__':
    main()
