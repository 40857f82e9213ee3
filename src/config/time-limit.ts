/**
 * A time limit on evaluating a config: a config is a program, and a program can hang.
 *
 * Two ways a config never finishes, each ended with one message naming the file:
 * - its top-level `await` waits on a promise nothing will settle: Node's event loop drains and the
 *   process would quietly exit 0. We see the drain (`beforeExit`) and refuse the config at once.
 * - it keeps the thread busy (`while (true) {}`) or waits on something that takes too long: the limit
 *   (VIRT_GEN_CONFIG_TIMEOUT seconds, default 10) ends it. An idle wait is ended by a timer in the
 *   main thread. A busy loop cannot be interrupted from the main thread, so a watchdog thread stops
 *   the main thread's JavaScript through the inspector protocol (`Runtime.terminateExecution`, the
 *   same call DevTools uses), and the process `exit` handler prints the message and exits 1.
 *
 * Why a watchdog and not evaluating the config in a Worker: a Worker that loads the config and
 * virt-gen's public module costs a second module graph on every run (start-up ratio over 2, see
 * docs/development.md); the watchdog is a few lines of CommonJS whose start-up runs in its own thread.
 * One shared word decides who ends the evaluation, so exactly one message is ever printed.
 */
import { writeSync } from 'node:fs';
import { SHARE_ENV, Worker } from 'node:worker_threads';

export const CONFIG_TIMEOUT_ENV = 'VIRT_GEN_CONFIG_TIMEOUT';
const DEFAULT_SECONDS = 10;
/** The watchdog waits this much longer than the main thread's own timer, which wins when it can run. */
const WATCHDOG_GRACE_MS = 500;
/** After a refusal, how long the CLI has to report it before a config's leftover timers are cut short. */
const EXIT_GRACE_MS = 1000;

// States of the shared word. Whoever moves it away from RUNNING first decides the outcome.
const RUNNING = 0;
const SETTLED = 1;
const REFUSED = 2;
const TERMINATED = 3;

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setTimeout(() => {
  if (Atomics.compareExchange(workerData.state, 0, ${RUNNING}, ${TERMINATED}) !== ${RUNNING}) return;
  const session = new (require('node:inspector').Session)();
  session.connectToMainThread();
  session.post('Runtime.terminateExecution');
}, workerData.ms);
`;

/** The limit in milliseconds, from VIRT_GEN_CONFIG_TIMEOUT (seconds; decimals allowed). */
export function configTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[CONFIG_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new RangeError(`${CONFIG_TIMEOUT_ENV}: "${raw}" is not a number of seconds above 0`);
  }
  return Math.round(seconds * 1000);
}

/**
 * Runs `evaluate` (the config's import) under the time limit of `ms`. `fail` turns a reason into the
 * error to throw (the loader's ConfigLoadError, naming the file).
 */
export async function withinTimeLimit<T>(
  ms: number,
  evaluate: () => Promise<T>,
  fail: (reason: string) => Error,
): Promise<T> {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const claim = (to: number): boolean => Atomics.compareExchange(state, 0, RUNNING, to) === RUNNING;
  const slow = `the config did not finish within ${ms / 1000} s`;
  const raise = `raise ${CONFIG_TIMEOUT_ENV} if it is only slow`;
  const onExit = (): void => {
    if (Atomics.load(state, 0) !== TERMINATED) return;
    writeSync(2, `virt-gen: ${fail(`${slow} (a loop that never ends?); ${raise}`).message}\n`);
    process.exit(1);
  };
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    workerData: { state, ms: ms + WATCHDOG_GRACE_MS },
    // The watchdog prints nothing and reads no variable: by default a Worker pipes its stdout and
    // stderr into the process's (which sets up both streams, net included, in the main thread) and
    // copies the environment.
    stdout: true,
    stderr: true,
    env: SHARE_ENV,
  });
  watchdog.unref();
  process.on('exit', onExit);
  let timer: NodeJS.Timeout | undefined;
  let onDrain = (): void => undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      const refuse = (reason: string): void => {
        if (!claim(REFUSED)) return;
        reject(fail(reason));
        // The config's own timers or sockets may keep the process alive after the CLI has reported
        // the refusal: end it then. Unref'd, this timer never delays an exit that happens anyway.
        setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
      };
      timer = setTimeout(() => refuse(`${slow}; ${raise}`), ms).unref();
      onDrain = () =>
        refuse("the config's top-level await never settles (it waits on a promise nothing resolves)");
      process.on('beforeExit', onDrain);
      evaluate().then(
        (value) => claim(SETTLED) && resolve(value),
        (err: unknown) => claim(SETTLED) && reject(err),
      );
    });
  } finally {
    // After a refusal the config's promise may still settle: nothing listens to it any more.
    clearTimeout(timer);
    process.off('beforeExit', onDrain);
    process.off('exit', onExit);
    void watchdog.terminate();
  }
}
