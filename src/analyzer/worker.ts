import type { Logger } from '../log/index.ts';
import type { AnalyzerStore, Job } from './store.ts';

export interface WorkerOptions {
  store: AnalyzerStore;
  analyze: (job: Job) => Promise<unknown>;
  drainOutbox: () => Promise<number>;
  now: () => number;
  logger: Logger;
  pollMs: number;
  leaseMs: number;
  jobConcurrency: number;
  outboxConcurrency: number;
}

/**
 * Drives the two queues: accepted groups → analyses, then the outbox. `kick()` runs a pass now (after a
 * webhook is queued); a timer re-runs it every `pollMs` for retries that come due. `stop()` lets the
 * pass in flight finish, so no send is cut off halfway.
 */
export function createWorker({
  store,
  analyze,
  drainOutbox,
  now,
  logger,
  pollMs,
  leaseMs,
  jobConcurrency,
  outboxConcurrency,
}: WorkerOptions) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function analyzeQueued() {
    for (;;) {
      const jobs: Job[] = [];
      for (
        let job = store.claimJob(now(), leaseMs);
        job;
        job = jobs.length + 1 < jobConcurrency ? store.claimJob(now(), leaseMs) : undefined
      )
        jobs.push(job);
      if (jobs.length === 0) return;
      await Promise.all(
        jobs.map((job) =>
          // A failed job keeps its lease and is picked up again when the lease expires.
          analyze(job).catch((error: unknown) =>
            logger.error({ err: error, job: job.id }, 'analysis failed; will retry after the lease'),
          ),
        ),
      );
      if (stopped) return;
    }
  }

  async function pass() {
    do {
      again = false;
      await analyzeQueued();
      while (!stopped && (await drainOutbox()) >= outboxConcurrency) {}
    } while (again && !stopped);
  }

  const schedule = () => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(kick, pollMs);
    timer.unref();
  };

  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((error: unknown) => logger.error({ err: error }, 'analyzer worker pass failed'))
      .finally(() => {
        running = undefined;
        schedule();
      });
  }

  return {
    kick,
    start() {
      stopped = false;
      kick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    /** Resolves when the pass in flight (if any) is done: for tests and benchmarks. */
    idle: () => running ?? Promise.resolve(),
  };
}
