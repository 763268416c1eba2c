import type { Explanation, Severity } from './categories.ts';
import type { AnalysisContext } from './context.ts';
import { deriveFacts } from './facts.ts';
import { rules } from './rule-table.ts';

export { rules } from './rule-table.ts';

const severityFromLabel = (context: AnalysisContext): Severity => {
  const label = context.group.commonLabels.severity ?? context.alerts[0]?.labels.severity;
  return label === 'critical' || label === 'info' ? label : 'warning';
};

/** Always returns a complete explanation; `unknown` when no rule matches. Resolved groups are `info`. */
export function classify(context: AnalysisContext): Explanation {
  const facts = deriveFacts(context);
  const name = context.group.commonLabels.alertname ?? context.alerts[0]?.labels.alertname ?? 'alert';
  const resolved = context.group.status === 'resolved';
  for (const rule of rules) {
    const evidence = rule.match(facts, context);
    if (!evidence) continue;
    const severity = typeof rule.severity === 'function' ? rule.severity(facts) : rule.severity;
    return {
      severity: resolved ? 'info' : severity,
      category: rule.category,
      summary: `${resolved ? 'Resolved: ' : ''}${name} — ${rule.category.replaceAll('_', ' ')}`,
      probableCause: rule.cause(facts),
      evidence: [`alertname="${name}"`, ...evidence].slice(0, 8),
      actions: rule.actions,
      confidence: rule.confidence,
      source: 'rules',
    };
  }
  return {
    severity: resolved ? 'info' : severityFromLabel(context),
    category: 'unknown',
    summary: `${resolved ? 'Resolved: ' : ''}${name}`,
    probableCause:
      context.alerts[0]?.annotations.description ?? 'No rule matched; see the alert annotations.',
    evidence: [`alertname="${name}"`],
    actions: ['Open the alert in Prometheus and the Grafana dashboards'],
    confidence: 0.2,
    source: 'rules',
  };
}
