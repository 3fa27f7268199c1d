export { replayRun, type ReplayOptions, type ReplayResult, type ReplayedStep } from './replay.js';
export { formatReplaySummary, formatReplayedStep } from './format.js';
