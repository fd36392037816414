/**
 * The lrscope page: wires the URL state, the engine, the form, the map, the
 * trajectory charts and the lesson together.
 */
import 'uplot/dist/uPlot.min.css';
import '@fontsource/dejavu-sans/400.css';
import './style.css';
import { describeRun, formatNumber, GpuEngine, onsetAt, parseSpec, REGIMES, SpecError, type Axis, type Spec, type SpecInput, type Trace } from '../src/core';
import { BIFURCATION_SPEC, BifurcationView } from './bifurcation-view';
import { renderCaption } from './caption';
import { Controls, PRESETS, type Preset } from './controls';
import { kernelShape, pickEngine, shouldTune, tunePageKernel, webgpuAvailable, WorkerEngine, type PageEngine } from './engines';
import { STRINGS, type Lang, type Strings } from './i18n';
import { Lesson } from './lesson';
import { MapView } from './map-view';
import { mapPrecision, renderPrecision, withoutPrecision, withPrecision, type PrecisionChoice } from './precision';
import { regimeWords } from './map-legend';
import { defaultState, searchFromState, stateFromSearch, withColor, type AppState, type EngineChoice, type View } from './state';
import { TrajectoryCharts } from './trajectory-charts';

/** Below this ratio of the engines' times, the engine badge calls them about as fast. */
const AUTO_TIE_RATIO = 1.15;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

let strings: Strings = STRINGS.en;
let state: AppState;
let spec: Spec;
let defaults: AppState;
let page: PageEngine;
let gpuOk = false;
/** Views before each zoom, for Back. */
const zoomStack: SpecInput[] = [];
/** The view before the first zoom, what Reset returns to (also after Back has emptied the stack). */
let home: SpecInput | undefined;
let trajectoryRequest = 0;

const mapView = new MapView(
  $('#map'),
  {
    progress: $<HTMLProgressElement>('#progress'),
    status: $('#status'),
    legend: $('#legend'),
    hover: $('#hover'),
    summary: $('#map-summary'),
  },
  strings,
  {
    zoom: (input) => {
      if (!zoomStack.length) home = state.spec;
      zoomStack.push(state.spec);
      navigate({ ...state, spec: input, pick: undefined });
    },
    pick: (coords) => navigate({ ...state, pick: coords }, { recompute: false }),
    home: () => zoomStack[0] ?? home ?? state.spec,
    theory: (shown) => {
      state = { ...state, theory: shown };
      history.replaceState(null, '', searchFromState(state, defaults) || location.pathname);
    },
    // Trainability colours the runs' scores: a spec without them is computed again with them.
    color: (choice) => navigate({ ...state, color: choice }, { recompute: false }),
  },
);
const charts = new TrajectoryCharts($('#charts'), strings);
const bifurcationView = new BifurcationView($('#bifurcation-view'), strings, {
  apply: (input, tail, component) => navigate({ ...state, view: 'bifurcation', spec: input, tail, component }),
});
/** The map (and the lesson's link to it) and the bifurcation view keep separate specs: each view's last one. */
const lastSpecs: { map?: SpecInput; bifurcation?: { spec: SpecInput; tail: string | undefined; component: string | undefined } } = {};

/** Moves to a view with the spec it showed last (or its default). */
function switchView(view: View, options: { recompute?: boolean } = {}): void {
  const wasBifurcation = state.view === 'bifurcation';
  if (wasBifurcation) lastSpecs.bifurcation = { spec: state.spec, tail: state.tail, component: state.component };
  else lastSpecs.map = state.spec;
  if (view === 'bifurcation') {
    const last = lastSpecs.bifurcation ?? { spec: BIFURCATION_SPEC, tail: undefined, component: undefined };
    const from = wasBifurcation ? state : last;
    navigate({ ...state, view, spec: from.spec, tail: from.tail, component: from.component, pick: undefined }, options);
  } else {
    navigate({ ...state, view, spec: wasBifurcation ? (lastSpecs.map ?? defaults.spec) : state.spec, tail: undefined, component: undefined }, options);
  }
}
let lesson: Lesson;
const controls = new Controls($<HTMLFormElement>('#controls'), strings, {
  apply: (input) => {
    zoomStack.length = 0;
    home = undefined;
    navigate({ ...state, spec: input, pick: undefined });
  },
  preset: (preset: Preset) => {
    zoomStack.length = 0;
    home = undefined;
    navigate({ ...state, view: 'map', spec: preset.spec, pick: preset.pick, color: preset.color ?? 'regime' });
  },
  engine: (choice: EngineChoice) => {
    // Choosing auto in the menu times the engines again.
    remeasureNext = choice === 'auto';
    navigate({ ...state, engine: choice });
  },
  precision: (choice: PrecisionChoice) => navigate({ ...state, precision: choice }),
});
/** The next pick of `auto` measures even where a choice is remembered. */
let remeasureNext = false;

function setLanguage(lang: Lang): void {
  strings = STRINGS[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('#tagline').textContent = strings.tagline;
  $('#tab-map').textContent = strings.tabMap;
  $('#tab-lesson').textContent = strings.tabLesson;
  $('#tab-bifurcation').textContent = strings.tabBifurcation;
  $('#tabs').setAttribute('aria-label', strings.views);
  $('#lang').textContent = lang === 'en' ? '中文' : 'English';
  $('#zoom-hint').textContent = strings.zoomHint;
  $('#back').textContent = strings.back;
  $('#reset').textContent = strings.reset;
  $('#export-label').textContent = strings.export;
  $('#trajectories-title').textContent = strings.trajectories;
  $('#map-note').textContent = strings.boundaryDimensionNote;
  if (spec) {
    showCaption();
    showPrecision();
  }
  mapView.setStrings(strings);
  charts.setStrings(strings);
  controls.setStrings(strings);
  lesson?.setStrings(strings);
  bifurcationView.setStrings(strings);
  renderEngineBadge();
}

/**
 * Picks the engine the state asks for. Under `auto` with WebGPU present that
 * may time both engines first (at most as long as the CPU engine's first map:
 * about 5 s on SwiftShader): the badge and the status line say so meanwhile.
 */
async function chooseEngine(remeasure: boolean): Promise<void> {
  if (state.engine === 'auto' && gpuOk) {
    const badge = $('#engine');
    badge.dataset.engine = 'choosing';
    badge.textContent = strings.engineChoosing;
    $('#status').textContent = strings.engineChoosing;
    $<HTMLButtonElement>('#remeasure').disabled = true;
  }
  page = await pickEngine(state.engine, { remeasure });
  lesson?.setEngine(page.engine);
  renderEngineBadge();
  if (spec) showCaption();
}

function renderEngineBadge(): void {
  if (!page) return;
  const badge = $('#engine');
  badge.dataset.engine = page.kind;
  const name = (kind: 'gpu' | 'cpu') => (kind === 'gpu' ? strings.engineGpu : strings.engineCpu);
  const auto = page.auto;
  let why = '';
  if (auto) {
    // For scripts and tests: each engine's estimated first-map time and whether this load measured them.
    Object.assign(badge.dataset, { auto: auto.measured ? 'measured' : 'remembered', gpuMs: String(Math.round(auto.gpuMs)), cpuMs: String(Math.round(auto.cpuMs)) });
    const ratio = auto.choice === 'gpu' ? auto.cpuMs / auto.gpuMs : auto.gpuMs / auto.cpuMs;
    // A lead of under 15 % is within the timing's noise: the page says so rather than "1.0× faster".
    const tie = ratio < AUTO_TIE_RATIO;
    const words = tie ? (auto.measured ? strings.engineAutoTie : strings.engineAutoTieRemembered) : auto.measured ? strings.engineAutoMeasured : strings.engineAutoRemembered;
    why = ` (${words
      .replace('{ratio}', ratio.toFixed(1))
      .replace('{other}', name(auto.choice === 'gpu' ? 'cpu' : 'gpu'))})`;
  } else {
    for (const key of ['auto', 'gpuMs', 'cpuMs']) delete badge.dataset[key];
  }
  // The workers' description is English (exports record it): the badge says it in the page's language.
  const workers = page.engine instanceof WorkerEngine ? page.engine.workerCount : 0;
  const adapter = workers ? strings.cpuWorkers.replace('{count}', String(workers)).replace('{s}', workers === 1 ? '' : 's') : page.adapter;
  badge.textContent = `${strings.engine}: ${name(page.kind)}${why} · ${strings.adapter}: ${adapter}`;
  if (page.engine instanceof GpuEngine) {
    // The kernel's shape, and whether it was tuned on this adapter (see tuneWhenIdle).
    const shape = kernelShape(page.engine);
    const { lanes, workgroupSize } = shape.kernel;
    Object.assign(badge.dataset, { kernel: `${lanes}x${workgroupSize}`, kernelSource: shape.source });
    const words = strings.kernelShape.replace('{lanes}', String(lanes)).replace('{group}', String(workgroupSize));
    badge.textContent += ` · ${shape.source === 'tuning' ? strings.kernelTuning : `${words} (${strings.kernelSource[shape.source]})`}`;
    badge.title = strings.kernelShapeTitle;
  } else {
    badge.removeAttribute('title');
    delete badge.dataset.kernel;
    delete badge.dataset.kernelSource;
  }
  const remeasure = $<HTMLButtonElement>('#remeasure');
  remeasure.hidden = !auto;
  remeasure.disabled = false;
  remeasure.textContent = strings.engineRemeasure;
  remeasure.title = strings.engineRemeasureTitle;
  const notice = $('#webgpu-notice');
  notice.hidden = !page.missing || sessionStorage.getItem(NOTICE_DISMISSED) !== null;
  if (page.missing && !notice.hidden) {
    // Two lines: what is missing and what runs instead; how to turn WebGPU on waits behind a disclosure.
    notice.innerHTML = `<p><strong>${strings.noWebgpuTitle}.</strong> ${strings.noWebgpuWhy[page.missing]} ${strings.noWebgpuFallback}</p>
      <details><summary>${strings.noWebgpuHowTitle}</summary>${strings.noWebgpuHow}</details>
      <button type="button" class="dismiss" aria-label="${strings.dismiss}" title="${strings.dismiss}">×</button>`;
    notice.querySelector('.dismiss')!.addEventListener('click', () => {
      sessionStorage.setItem(NOTICE_DISMISSED, '1');
      notice.hidden = true;
      $(`#tab-${state.view}`).focus();
    });
  }
}

/** The line over the map: what a pixel is, and the lesson for a first visit. Fast math is named only where it applies: on the CPU workers the values are exact. */
function showCaption(): void {
  const shown = spec.base.fastMath && page?.kind === 'cpu' ? { ...spec, base: { ...spec.base, fastMath: false } } : spec;
  renderCaption($('#map-caption'), shown, strings, state.color, () => switchView('lesson'));
}

/** The line over the map naming the precision in use and the magnification, and the note where that precision no longer resolves the view. */
function showPrecision(): void {
  let reference: Spec | undefined;
  try {
    reference = parseSpec(zoomStack[0] ?? home ?? state.spec);
  } catch {
    reference = undefined;
  }
  renderPrecision({ badge: $('#precision-badge'), note: $('#precision') }, strings, { spec, choice: state.precision, reference });
}

/** sessionStorage key: the no-WebGPU notice was closed, for the rest of the session. */
const NOTICE_DISMISSED = 'lrscope.webgpu-notice-dismissed';

function showUrlError(message: string | undefined): void {
  const notice = $('#url-error');
  notice.hidden = !message;
  if (message) notice.textContent = `${strings.urlError} ${message}`;
}

/** Moves to a new state: updates the URL and whatever it changes. */
function navigate(next: AppState, options: { push?: boolean; recompute?: boolean } = {}): void {
  const previous = state;
  // The precision is the state's own (a zoom's spec carries the one its map ran in).
  const bare = { ...next, spec: withoutPrecision(next.spec) };
  state = bare.view === 'map' ? { ...bare, spec: withColor(bare.spec, bare.color) } : bare;
  const search = searchFromState(state, defaults);
  if (search !== location.search) history[options.push === false ? 'replaceState' : 'pushState'](null, '', search || location.pathname);
  void apply(previous, options.recompute ?? true);
}

/** The kernel tuning under way, stopped by any new work (see tuneWhenIdle). */
let tuning: AbortController | undefined;

/**
 * Once a map is drawn on WebGPU, the page tunes the kernel's shape for this
 * adapter, once (remembered for later visits): it times a few shapes on a
 * small sweep and keeps the fastest. New work stops it, and the next drawn
 * map starts it over; the results are the same in every shape, only the speed differs.
 */
async function tuneWhenIdle(): Promise<void> {
  if (tuning || !page || !(page.engine instanceof GpuEngine) || !shouldTune()) return;
  const controller = new AbortController();
  tuning = controller;
  renderEngineBadge();
  try {
    await tunePageKernel(page.engine, controller.signal);
  } catch {
    // Stopped for new work (or the device failed it): the shape it had stays.
  } finally {
    if (tuning === controller) tuning = undefined;
    renderEngineBadge();
  }
}

async function apply(previous: AppState | undefined, recompute: boolean): Promise<void> {
  tuning?.abort();
  tuning = undefined;
  if (!previous || previous.lang !== state.lang) setLanguage(state.lang);
  // boot() picked the first engine.
  if (previous && previous.engine !== state.engine) {
    await chooseEngine(remeasureNext);
    remeasureNext = false;
    recompute = true;
  }
  for (const view of VIEWS) {
    $(`#${view}-view`).hidden = state.view !== view;
    const tab = $(`#tab-${view}`);
    tab.setAttribute('aria-selected', String(state.view === view));
    // Roving tabindex: Tab enters the tab list at the selected tab; the arrow keys move within it.
    tab.tabIndex = state.view === view ? 0 : -1;
  }
  if (state.view !== 'bifurcation') bifurcationView.cancel();
  if (state.view === 'bifurcation') {
    const unchanged = previous?.view === 'bifurcation' && JSON.stringify(previous.spec) === JSON.stringify(state.spec) && previous.tail === state.tail && previous.component === state.component;
    if (unchanged && !recompute) return;
    try {
      // A chosen precision holds here too (auto is float32: the diagram's zoom is its own form).
      await bifurcationView.show(state.precision === 'auto' ? state.spec : withPrecision(state.spec, state.precision), state.tail, state.component, page);
    } catch (e) {
      showUrlError((e as Error).message);
    }
    return;
  }
  if (state.view === 'lesson') {
    await lesson.render(state.lessonLr);
    return;
  }
  mapView.setTheory(state.theory);
  mapView.setColor(state.color);
  if (previous && previous.color !== state.color && spec) showCaption();
  const specChanged = !previous || JSON.stringify(previous.spec) !== JSON.stringify(state.spec) || previous.view !== 'map' || previous.precision !== state.precision;
  if (specChanged || recompute) {
    try {
      // In the precision the choice gives this view: under auto, df64 past float32's resolution (./precision).
      const float32 = parseSpec(state.spec);
      const precision = mapPrecision(float32, state.precision);
      spec = precision === 'df64' ? parseSpec(withPrecision(state.spec, 'df64')) : float32;
    } catch (e) {
      // A spec the form or a preset made that this version cannot run (a key it does not know): say so, keep the page.
      if (!(e instanceof SpecError)) throw e;
      showUrlError(e.message);
      return;
    }
    showCaption();
    showPrecision();
    controls.render(spec, { choice: state.engine, gpuAvailable: gpuOk }, state.pick, state.precision);
    $<HTMLButtonElement>('#back').disabled = zoomStack.length === 0;
    charts.clear(strings.trajectoryNone);
    $('#trajectory-caption').textContent = '';
    try {
      await mapView.show(spec, page, state.pick ? [state.pick[0], state.pick[1]] : undefined);
    } catch (e) {
      showUrlError((e as Error).message);
      return;
    }
    if (mapView.element.dataset.state !== 'done') return; // superseded
    void tuneWhenIdle();
  }
  if (state.pick) await showTrajectories([state.pick[0], state.pick[1]]);
}

const VIEWS: readonly View[] = ['map', 'lesson', 'bifurcation'];

/** The tab list's keys: the arrows, Home and End move the focus between tabs; Enter or Space (a button's click) opens one. */
function onTabKey(event: KeyboardEvent): void {
  const tabs = VIEWS.map((view) => $<HTMLButtonElement>(`#tab-${view}`));
  const current = tabs.indexOf(document.activeElement as HTMLButtonElement);
  if (current < 0) return;
  const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  tabs[(next + tabs.length) % tabs.length]!.focus();
}

function describeCell(coords: [number, number]): string {
  const [xAxis, yAxis] = spec.axes as [Axis, Axis];
  const cell = mapView.cell(coords);
  const p = spec.base.precision;
  const values = `${xAxis.name} = ${formatNumber((xAxis.values as number[])[coords[0]]!, p)}, ${yAxis.name} = ${formatNumber((yAxis.values as number[])[coords[1]]!, p)}`;
  if (!cell) return values;
  const regime = REGIMES[cell.regime]!;
  const step = cell.chunk.regimeStep[cell.offset]!;
  const when = regime === 'converged' && step >= 0 ? ` (${strings.convergedAt} ${step})` : regime === 'diverged' && step >= 0 ? ` (${strings.escapedAt} ${step})` : '';
  // Under exponential decay, theory's onset: unstable until t*, the error peaking at the first stable step.
  const onset = onsetAt(spec, coords[1] * xAxis.values.length + coords[0]);
  const theory =
    onset && onset.tStar > 0
      ? ` · t* = ${onset.tStar.toFixed(1)}: ${onset.firstStableStep === null ? strings.unstableThroughout : strings.unstableUntil.replace('{step}', String(onset.firstStableStep))}`
      : '';
  return `${values}: ${regimeWords(spec, strings).regimes[regime]}${when}${theory}`;
}

async function showTrajectories(coords: [number, number]): Promise<void> {
  const request = ++trajectoryRequest;
  const neighbour = mapView.nearestOtherRegime(coords);
  mapView.setPicked(coords, neighbour);
  const nx = spec.axes[0]!.values.length;
  const indices = [coords[1] * nx + coords[0], ...(neighbour ? [neighbour[1] * nx + neighbour[0]] : [])];
  $('#charts').dataset.state = 'computing';
  let traces: Trace[];
  try {
    traces = await page.engine.trace(spec, indices);
  } catch (e) {
    // A trace too long to hold, for one: say so where the charts would be.
    if (request !== trajectoryRequest) return;
    charts.clear((e as Error).message);
    $('#charts').dataset.state = 'error';
    return;
  }
  if (request !== trajectoryRequest) return;
  charts.show({
    traces: traces.map((trace, i) => ({
      trace,
      label: i === 0 ? strings.picked : strings.neighbour,
      color: i === 0 ? '#111111' : '#b34700',
      ...(i === 0 ? {} : { dash: [6, 4] }),
    })),
    dims: spec.dims,
    bound: spec.base.bound,
  });
  revealCharts();
  $('#trajectory-caption').innerHTML = [
    `<span class="picked">● ${strings.picked}: ${describeCell(coords)}</span>`,
    neighbour ? `<span class="neighbour">○ ${strings.neighbour}: ${describeCell(neighbour)}</span>` : '',
  ].join('<br>');
}

/**
 * Brings the charts of a picked run into view where the layout put them
 * below the map (a narrow window): wide windows show them beside the map.
 */
function revealCharts(): void {
  const section = $('#charts').parentElement!;
  const top = section.getBoundingClientRect().top;
  if (top > window.innerHeight - 120) section.scrollIntoView({ block: 'start', behavior: 'smooth' });
}

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function boot(): Promise<void> {
  gpuOk = await webgpuAvailable();
  const url = new URLSearchParams(location.search);
  const wantsCpu = url.get('engine') === 'cpu';
  // Without WebGPU the CPU engine is slower: start it on a smaller grid.
  defaults = defaultState(gpuOk && !wantsCpu ? 512 : 128);
  const parsed = stateFromSearch(location.search, defaults);
  state = parsed.state;
  setLanguage(state.lang);
  showUrlError(parsed.error);
  await chooseEngine(false);
  lesson = new Lesson($('#lesson'), strings, page.engine, {
    slider: (lr) => {
      state = { ...state, lessonLr: lr };
      history.replaceState(null, '', searchFromState(state, defaults));
    },
    openMap: () => {
      const preset = PRESETS.find((p) => p.id === 'seed-1')!;
      navigate({ ...state, view: 'map', spec: preset.spec, pick: preset.pick });
    },
  });
  renderEngineBadge();
  history.replaceState(null, '', searchFromState(state, defaults) || location.pathname);

  $('#tab-map').addEventListener('click', () => switchView('map', { recompute: false }));
  $('#tab-lesson').addEventListener('click', () => switchView('lesson'));
  $('#tab-bifurcation').addEventListener('click', () => switchView('bifurcation', { recompute: false }));
  $('#tabs').addEventListener('keydown', onTabKey);
  $('#remeasure').addEventListener('click', async () => {
    await chooseEngine(true);
    await apply(state, true);
  });
  $('#lang').addEventListener('click', () => navigate({ ...state, lang: state.lang === 'en' ? 'zh' : 'en' }, { recompute: false }));
  $('#back').addEventListener('click', () => {
    const previous = zoomStack.pop();
    if (previous) navigate({ ...state, spec: previous, pick: undefined });
  });
  $('#reset').addEventListener('click', () => {
    const start = zoomStack[0] ?? home ?? state.spec;
    zoomStack.length = 0;
    navigate({ ...state, spec: start, pick: undefined });
  });
  // A map still computing has nothing to export yet.
  $('#export-png').addEventListener('click', async () => mapView.element.dataset.state === 'done' && download(await mapView.exportPng(describeRun(page.engine, spec.base)), 'lrscope-map.png'));
  $('#export-csv').addEventListener('click', async () => download(await mapView.exportTable('csv', page.adapter), 'lrscope-grid.csv'));
  $('#export-json').addEventListener('click', async () => download(await mapView.exportTable('json', page.adapter), 'lrscope-grid.json'));
  window.addEventListener('popstate', () => {
    const next = stateFromSearch(location.search, defaults);
    showUrlError(next.error);
    const previous = state;
    state = next.state;
    // The browser's Back out of a zoom is the page's Back too.
    const last = zoomStack.at(-1);
    if (last && JSON.stringify(last) === JSON.stringify(state.spec)) zoomStack.pop();
    void apply(previous, false);
  });
  await apply(undefined, true);
}

void boot();
