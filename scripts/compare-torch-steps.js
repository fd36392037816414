#!/usr/bin/env node
// The Node side of scripts/compare-torch.py: one update of lrscope's float32
// rule (the CPU engine's, which the GPU engine matches bit for bit) from each
// state PyTorch was in, so that a single step's arithmetic is compared.
//
// stdin: a JSON list of runs {optimizer, convention, values, steps: [{lr, w, g, slots}]},
// where slots holds the per-dimension state PyTorch had before the step (lrscope's
// slot names). Scalar slots (Adam's bias corrections) follow lrscope's own
// recurrence from the first step. stdout: for each run, w after each step.
import { readFileSync } from 'node:fs';
import { f32, initialSlots, optimizerDefaults, optimizerHyper, updateRule } from '../dist/index.js';

const runs = JSON.parse(readFileSync(0, 'utf8'));
const results = runs.map(({ optimizer, convention, values, steps }) => {
  const h = optimizerHyper({ ...optimizerDefaults(optimizer, convention), ...values }, convention);
  const dims = steps[0].w.length;
  const slots = initialSlots(optimizer, convention, dims, h);
  const update = updateRule(optimizer, convention);
  return steps.map(({ lr, w, g, slots: given }) => {
    for (const [name, value] of Object.entries(given)) slots[name] = Float64Array.from(value, f32);
    const next = Float64Array.from(w, f32);
    update(next, Float64Array.from(g, f32), f32(lr), slots, h);
    return [...next];
  });
});
process.stdout.write(JSON.stringify(results));
