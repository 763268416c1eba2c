import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { createEventBus } from '../events/index.ts';
import { createTestTelemetry } from '../telemetry/testing.ts';
import { createTargets, MAX_UNCONFIGURED_MODELS } from './targets.ts';

const target = (model: string) => ({ provider: 'p', model, key: `p/${model}` });

describe('targets', () => {
  const setup = () =>
    createTargets({
      config: parseConfig({
        store: { path: ':memory:' },
        providers: [{ name: 'p', baseURL: 'http://127.0.0.1:1/v1' }],
        routes: [{ model: 'named', targets: [{ provider: 'p', model: 'configured' }] }],
      }),
      providers: new Map(),
      bus: createEventBus(),
      instruments: createTestTelemetry().instruments,
      now: () => 0,
    });

  it('keeps one breaker per provider and model', () => {
    const targets = setup();
    expect(targets.get(target('a'))).toBe(targets.get(target('a')));
    expect(targets.get(target('a'))).not.toBe(targets.get(target('b')));
  });

  it('folds unconfigured models past the bound into one `other` state per provider', () => {
    const targets = setup();
    for (let i = 0; i < MAX_UNCONFIGURED_MODELS; i += 1) targets.get(target(`client-model-${i}`));
    const overflow = targets.get(target('one-too-many'));
    expect(overflow.target).toEqual({ provider: 'p', model: 'other', key: 'p/other' });
    expect(targets.get(target('and-another'))).toBe(overflow);
    expect(targets.get(target('client-model-7')).target.model).toBe('client-model-7');
    // A configured model is never pushed out by a flood of client-supplied ones.
    expect(targets.get(target('configured')).target.model).toBe('configured');
    expect(targets.all()).toHaveLength(MAX_UNCONFIGURED_MODELS + 2);
  });

  it('bounds the response model label the same way, configured names always kept', () => {
    const targets = setup();
    for (let i = 0; i < MAX_UNCONFIGURED_MODELS; i += 1)
      expect(targets.responseModelLabel(`answer-${i}`)).toBe(`answer-${i}`);
    expect(targets.responseModelLabel('one-too-many')).toBe('other');
    expect(targets.responseModelLabel('answer-3')).toBe('answer-3');
    expect(targets.responseModelLabel('configured')).toBe('configured');
  });
});
