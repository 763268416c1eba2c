import { describe, expect, it } from 'vitest';
import { groundingOf, isGrounded } from './evidence.ts';

const context = JSON.stringify({
  labels: { inferwatch_provider_name: 'openai', error_type: 'rate_limited', cloud_region: 'eu-west-1' },
  related: { errorsByClass: [{ value: 4.237 }], gatewaySuccessRatio: [{ value: 0.9312 }] },
});
const grounding = groundingOf(context);

describe('evidence grounding', () => {
  it.each([
    ['error_type="rate_limited" at 4.24/s', true], // rounded number present
    ['success ratio 93.1%', true], // percent form of a ratio in the context
    ['openai is failing', true], // a label value, no number
    ['probes fail in eu-west-1', true], // digits inside a label are not numbers
    ['error rate 97.3% on openai', false], // an invented number, even beside a real label
    ['the database is overloaded', false], // nothing from the context
    ['Kafka lag 123456', false],
  ])('%s → %s', (item, expected) => {
    expect(isGrounded(item, grounding)).toBe(expected);
  });
});
