/** Messages and shared memory between the main thread and the SIGINT watchdog worker. */
export interface WatchdogWorkerData {
  /** Int32 words; STOP_INDEX non-zero tells the worker to leave its guarded wait and end. */
  control: SharedArrayBuffer;
}

export const STOP_INDEX = 0;

export type WatchdogToMain =
  /** The worker holds Node's SIGINT watchdog: a SIGINT no longer kills the process. */
  | { type: 'ready' }
  /** A SIGINT arrived while no main-thread evaluation was guarding against it. */
  | { type: 'sigint' };
