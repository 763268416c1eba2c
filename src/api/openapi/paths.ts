import { gatewayPaths } from './gateway-paths.ts';
import {
  apiKeySecurity,
  type JsonObject,
  jsonBody,
  limitParameter,
  pathName,
  pick,
  publicSecurity,
  ref,
} from './operations.ts';

/** Path → path item, per component: the document only lists what the running role serves. */
export const pathsByComponent: Record<string, Record<string, JsonObject>> = {
  gateway: gatewayPaths,
  api: {
    '/health': {
      get: {
        operationId: 'health',
        tags: ['operator'],
        summary: 'Liveness',
        security: publicSecurity,
        responses: { 200: jsonBody('Health', 'Alive') },
      },
    },
    '/ready': {
      get: {
        operationId: 'ready',
        tags: ['operator'],
        summary: 'Readiness: 503 while stopping or while a component cannot serve',
        security: publicSecurity,
        responses: { 200: jsonBody('Ready', 'Ready'), 503: jsonBody('Ready', 'Not ready') },
      },
    },
    '/api/incidents': {
      get: {
        operationId: 'listIncidents',
        tags: ['operator'],
        summary: 'Recent incidents (breaker transitions, failovers, probe state changes), newest first',
        security: apiKeySecurity,
        parameters: [
          limitParameter,
          {
            name: 'type',
            in: 'query',
            required: false,
            description:
              'Incident kind, e.g. circuit_open or failover; the Sentinel-Ops names failover_triggered, outage and recovery select the kinds they cover',
            schema: { type: 'string', pattern: '^[a-z_.:-]{1,64}$' },
          },
        ],
        responses: { 200: jsonBody('IncidentList', 'Incidents'), ...pick(400, 401) },
      },
    },
    '/api/history': {
      get: {
        operationId: 'statusHistory',
        tags: ['operator'],
        summary:
          'Uptime over 24 h and 7 d and a per-minute bar of the last hour, per configured provider and probe target',
        security: apiKeySecurity,
        responses: { 200: jsonBody('History', 'History'), ...pick(401) },
      },
    },
    '/api/metrics': {
      get: {
        operationId: 'metricsSummary',
        tags: ['operator'],
        summary: 'A small JSON summary per running component (the status page reads it)',
        security: apiKeySecurity,
        responses: { 200: jsonBody('MetricsSummary', 'Summary'), ...pick(401) },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['operator'],
        summary: 'This document',
        security: publicSecurity,
        responses: {
          200: {
            description: 'OpenAPI 3.1 document',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  },
  prober: {
    '/api/probes': {
      get: {
        operationId: 'listProbes',
        tags: ['prober'],
        summary: 'Every probe target with its state and last result',
        security: apiKeySecurity,
        responses: { 200: jsonBody('ProbeList', 'Targets'), ...pick(401) },
      },
    },
    '/api/probes/{name}': {
      get: {
        operationId: 'getProbe',
        tags: ['prober'],
        summary: "One target's state and stored history, newest first",
        security: apiKeySecurity,
        parameters: [pathName('Probe target name'), limitParameter],
        responses: { 200: jsonBody('ProbeDetail', 'Target'), ...pick(400, 401, 404) },
      },
    },
    '/api/probes/{name}/run': {
      post: {
        operationId: 'runProbe',
        tags: ['prober'],
        summary: 'Run one target now (joins a run already in flight)',
        security: apiKeySecurity,
        parameters: [pathName('Probe target name')],
        responses: { 200: jsonBody('ProbeRecord', 'Result'), ...pick(401, 404, 503) },
      },
    },
  },
  analyzer: {
    '/api/alertmanager': {
      post: {
        operationId: 'alertmanagerWebhook',
        tags: ['analyzer'],
        summary: 'Alertmanager webhook (payload version 4); idempotent',
        security: [{ webhookToken: [] }, { webhookBasic: [] }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('AlertmanagerWebhook') } },
        },
        responses: {
          200: jsonBody('WebhookAccepted', 'Duplicate of a group state already accepted'),
          202: jsonBody('WebhookAccepted', 'Queued for analysis'),
          ...pick(400, 401, 413, 503),
        },
      },
    },
    '/api/analyses': {
      get: {
        operationId: 'listAnalyses',
        tags: ['analyzer'],
        summary: 'Recent analyses, newest first',
        security: apiKeySecurity,
        parameters: [limitParameter],
        responses: { 200: jsonBody('AnalysisList', 'Analyses'), ...pick(400, 401) },
      },
    },
    '/api/analyses/{id}': {
      get: {
        operationId: 'getAnalysis',
        tags: ['analyzer'],
        summary: 'One analysis with its alert group and notification outbox rows',
        security: apiKeySecurity,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }],
        responses: { 200: jsonBody('Analysis', 'Analysis'), ...pick(401, 404) },
      },
    },
  },
};
