import { describe, expect, it } from 'vitest';
import { createEventBus, type Envelope, type FailoverEvent } from '../events/index.ts';
import { createFailoverEvents, type FailoverReport } from './failover-events.ts';

/** Windows end when the test says so: a list of pending timers it fires by hand. */
function manualTimers() {
  const pending = new Set<() => void>();
  return {
    setTimer: (fire: () => void) => {
      const entry = () => {
        pending.delete(entry);
        fire();
      };
      pending.add(entry);
      return () => pending.delete(entry);
    },
    fireAll: () => {
      for (const entry of [...pending]) entry();
    },
    get pending() {
      return pending.size;
    },
  };
}

function setup() {
  const bus = createEventBus();
  const seen: Envelope<FailoverEvent>[] = [];
  bus.subscribe('failover', (event) => seen.push(event));
  const timers = manualTimers();
  const events = createFailoverEvents({ bus, setTimer: timers.setTimer });
  const report = (traceId: string, reason = 'circuit_open', from = 'a'): FailoverReport => ({
    traceId,
    requestedModel: 'm',
    from,
    to: 'b',
    reason,
    chain: [from, 'b'],
  });
  return { seen, timers, events, report };
}

describe('createFailoverEvents', () => {
  it('publishes the first failover at once and the rest of the window as one event with their count', () => {
    const { seen, timers, events, report } = setup();
    for (let i = 0; i < 10; i += 1) events.publish(report(`t${i}`));
    expect(seen.map((event) => [event.traceId, event.count])).toEqual([['t0', 1]]);
    timers.fireAll();
    expect(seen.map((event) => [event.traceId, event.count])).toEqual([
      ['t0', 1],
      ['t9', 9],
    ]);
    // A steady stream keeps one event per window; a quiet window ends it, and the next goes out at once.
    events.publish(report('t10'));
    expect(seen).toHaveLength(2);
    timers.fireAll();
    expect(seen.at(-1)).toMatchObject({ traceId: 't10', count: 1 });
    timers.fireAll();
    expect(timers.pending).toBe(0);
    events.publish(report('t11'));
    expect(seen.at(-1)).toMatchObject({ traceId: 't11', count: 1 });
  });

  it('keeps pairs and reasons apart', () => {
    const { seen, events, report } = setup();
    events.publish(report('t1', 'circuit_open'));
    events.publish(report('t2', 'server_error'));
    events.publish(report('t3', 'circuit_open', 'c'));
    events.publish(report('t4', 'circuit_open'));
    expect(seen.map((event) => `${event.from}:${event.reason}`)).toEqual([
      'a:circuit_open',
      'a:server_error',
      'c:circuit_open',
    ]);
  });

  it('flush publishes what is held and stops the timers', () => {
    const { seen, timers, events, report } = setup();
    events.publish(report('t1'));
    events.publish(report('t2'));
    events.publish(report('t3'));
    events.flush();
    expect(seen.map((event) => [event.traceId, event.count])).toEqual([
      ['t1', 1],
      ['t3', 2],
    ]);
    expect(timers.pending).toBe(0);
  });
});
