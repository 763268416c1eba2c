import { describe, expect, it } from 'vitest';
import { createEventBus } from './bus.ts';

describe('event bus', () => {
  it('delivers to type subscribers and wildcard subscribers with one stamp', () => {
    const bus = createEventBus({ now: () => 0 });
    const typed: number[] = [];
    const all: string[] = [];
    bus.subscribe('heartbeat', (event) => typed.push(event.seq));
    bus.subscribe('*', (event) => all.push(`${event.type}@${event.at}`));
    bus.publish({ type: 'heartbeat' });
    expect(typed).toEqual([1]);
    expect(all).toEqual(['heartbeat@1970-01-01T00:00:00.000Z']);
  });

  it('keeps publishing when a listener throws, and reports the error', () => {
    const errors: unknown[] = [];
    const bus = createEventBus({ onListenerError: (error) => errors.push(error) });
    const seen: string[] = [];
    bus.subscribe('*', () => {
      throw new Error('broken subscriber');
    });
    bus.subscribe('*', (event) => seen.push(event.type));
    expect(() => bus.publish({ type: 'heartbeat' })).not.toThrow();
    expect(seen).toEqual(['heartbeat']);
    expect(errors).toHaveLength(1);
  });

  it('bounds its replay history and stops delivering after unsubscribe', () => {
    const bus = createEventBus({ history: 3 });
    let count = 0;
    const unsubscribe = bus.subscribe('heartbeat', () => {
      count += 1;
    });
    for (let i = 0; i < 5; i++) bus.publish({ type: 'heartbeat' });
    unsubscribe();
    bus.publish({ type: 'heartbeat' });
    expect(count).toBe(5);
    expect(bus.recent().map((event) => event.seq)).toEqual([4, 5, 6]);
  });
});

describe('event bus across a fleet', () => {
  it("stamps its replica's instance on what it publishes", () => {
    const bus = createEventBus({ instance: 'replica-a' });
    const seen: string[] = [];
    bus.subscribe('*', (event) => seen.push(event.instance));
    bus.publish({ type: 'heartbeat' });
    expect(seen).toEqual(['replica-a']);
  });

  it("delivers other replicas' events to fleet subscribers only, and keeps them for replay", () => {
    const bus = createEventBus({ instance: 'replica-a' });
    const local: string[] = [];
    const fleet: string[] = [];
    bus.subscribe('incident', (event) => local.push(event.instance));
    bus.subscribe('*', (event) => fleet.push(`${event.instance}#${event.seq}`), { fleet: true });
    bus.publish({ type: 'heartbeat' });
    bus.deliverRemote({
      type: 'incident',
      id: 'i-1',
      kind: 'circuit_open',
      severity: 'warning',
      title: 'opened elsewhere',
      subject: 'sim',
      detail: {},
      seq: 7,
      at: '2030-01-01T00:00:00.000Z',
      instance: 'replica-b',
    });
    expect(local).toEqual([]);
    expect(fleet).toEqual(['replica-a#1', 'replica-b#7']);
    expect(bus.recent().map((event) => event.instance)).toEqual(['replica-a', 'replica-b']);
  });
});
