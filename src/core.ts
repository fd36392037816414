/** Everything that runs in a browser as well as in Node. */
import './objectives/mathjs.js';
export { parseSpec, gridSize, gridShape, gridCoords, cellAt, type Spec, type SpecInput, type Cell, type Axis, type RawValue } from './experiment/index.js';
export { OBJECTIVES, PARAMS, PARAM_KEYS, type ObjectiveName, type ParamKey, type Precision } from './experiment/params.js';
export { DF64_OPTIMIZERS, DF64_SCHEDULES, inDf64 } from './experiment/rules.js';
export { TEST_FUNCTIONS } from './objectives/catalogue.js';
export { compileExpression, ExpressionError, type CompiledObjective } from './objectives/expression.js';
export { mlpObjective, mlpDims, ACTIVATIONS, type Activation, type MlpConfig, type MlpObjective } from './objectives/mlp.js';
export { theoryOf, decayOnset, onsetAt, type Theory } from './theory.js';
export { boundaryDimension, boxCountingDimension, edgeMap, type BoxCounting } from './analysis/fractal.js';
export {
  medianSlopeDimension,
  porespySizes,
  scoreDimension,
  scoreEdges,
  ScoreEdgeCounter,
  type BoxCountOptions,
  type BoxCountSlopes,
  type BoxCountSlopesFailure,
} from './analysis/score-edges.js';
export {
  CONVENTIONS,
  OPTIMIZERS,
  initialSlots,
  optimizerDefaults,
  optimizerHyper,
  optimizerParams,
  updateRule,
  type Convention,
  type OptimizerName,
  type OptimizerHyper,
  type SlotValues,
} from './optimizers/index.js';
export { formatValue, formatNumber, type Value } from './experiment/values.js';
export { SCHEDULES, SCHEDULE_PARAMS, learningRate, scheduleFactor, type ScheduleName, type ScheduleParams } from './schedules.js';
export { formatFloat32, f32 } from './float32.js';
export { CpuEngine } from './engine/cpu.js';
export { GpuEngine, describeAdapter, type GpuEngineOptions } from './engine/gpu.js';
export { DEFAULT_KERNEL_OPTIONS, type KernelOptions } from './engine/kernel.js';
export { LOSS_REGIME_NAMES, judgedByLoss, regimeNames, REGIMES, runRange, type Regime, type Engine, type ChunkStats, type ChunkResult, type Trace, type RunOptions, type Progress } from './engine/types.js';
export { classifyChunk } from './classify.js';
export { normalisedLoss, trainabilityOf, trainabilityOfLosses, type Trainability } from './trainability.js';
export { STAT_NAMES, TRAJECTORY_FIELDS, type StatName } from './engine/records.js';
export { sweep, emptyCounts, addCounts, type RegimeCounts } from './sweep.js';
export {
  bifurcation,
  checkBifurcationSpec,
  parseTail,
  parseComponent,
  tailOf,
  tailPeriod,
  tailKind,
  distinctValues,
  sameValue,
  periodBands,
  summaryBands,
  describeTail,
  DEFAULT_TAIL,
  PERIOD_TOLERANCE,
  type Bifurcation,
  type BifurcationOptions,
  type TailKind,
  type PeriodBand,
  type SummaryBand,
  type Tolerance,
} from './bifurcation.js';
export { bandLines, bifurcationSummary, componentName, lrLabel, writeBifurcationCsv, writeBifurcationJson, wRange } from './output/bifurcation.js';
export { MapBuilder, rasterRgba, regimeRgb, analyticBoundary, stabilityEdge, axisPosition, REGIME_COLORS, type MapRaster, type AnalyticBoundary } from './output/map.js';
export { rankEqualise, scoreRgba, spectralColor, SPECTRAL, NAN_COLOR } from './output/score-colors.js';
export { axisTitle, axisTitles, networkSetting, runTitle } from './output/labels.js';
export { describeRun } from './output/summary.js';
export { drawMapFigure, figureGeometry, FONT, type FigureWords, type MapGeometry } from './output/map-figure.js';
export { JsonWriter } from './output/json.js';
export { CsvWriter } from './output/csv.js';
export { StringSink, type TextSink } from './output/sink.js';
export { SpecError, NoAdapterError, CancelledError } from './errors.js';
