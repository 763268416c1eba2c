import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { classifyNetworkError, classifyStatus, type FailureType } from '../../providers/index.ts';
import { evaluate } from '../conditions.ts';
import type { Check, CheckOutcome, HttpPhase, ResolvedHttpCheck } from './types.ts';

/** Timestamps (monotonic ms) of each milestone; phases are the gaps between them. */
interface Marks {
  start: number;
  lookup?: number;
  connect?: number;
  tls?: number;
  firstByte?: number;
  end?: number;
}

function phases(marks: Marks): Partial<Record<HttpPhase, number>> {
  const out: Partial<Record<HttpPhase, number>> = {};
  const resolved = marks.lookup ?? marks.start;
  out.resolve = resolved - marks.start;
  if (marks.connect !== undefined) out.connect = marks.connect - resolved;
  if (marks.tls !== undefined && marks.connect !== undefined) out.tls = marks.tls - marks.connect;
  const ready = marks.tls ?? marks.connect;
  if (marks.firstByte !== undefined && ready !== undefined) out.processing = marks.firstByte - ready;
  if (marks.end !== undefined && marks.firstByte !== undefined) out.transfer = marks.end - marks.firstByte;
  return out;
}

/** Earliest `valid_to` across the presented chain (the chain links back to itself at the root). */
function earliestExpiry(certificate: DetailedPeerCertificate): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<DetailedPeerCertificate>();
  for (let cert = certificate; cert?.valid_to && !seen.has(cert); cert = cert.issuerCertificate) {
    seen.add(cert);
    const at = Date.parse(cert.valid_to);
    if (!Number.isNaN(at)) earliest = earliest === undefined ? at : Math.min(earliest, at);
  }
  return earliest;
}

/** Which timeout class applies depends on how far the request got (see docs/prober.md). */
const timeoutType = (marks: Marks): FailureType =>
  marks.connect === undefined
    ? 'timeout_connect'
    : marks.firstByte === undefined
      ? 'timeout_first_token'
      : 'timeout_total';

/**
 * One HTTP(S) request on a fresh connection (no keep-alive, as blackbox_exporter), timed per phase with
 * socket events, then judged by expected status and conditions.
 */
export const httpCheck: Check<ResolvedHttpCheck> = (check, { now, clock, signal }) =>
  new Promise<CheckOutcome>((resolve) => {
    const url = new URL(check.url);
    const marks: Marks = { start: clock() };
    let certExpiresAt: number | undefined;
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (outcome: Omit<CheckOutcome, 'durationMs' | 'phasesMs' | 'certExpiresAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      const end = marks.end ?? clock();
      resolve({ ...outcome, durationMs: end - marks.start, phasesMs: phases(marks), certExpiresAt });
    };
    const timer = setTimeout(
      () =>
        finish({
          success: false,
          errorType: timeoutType(marks),
          message: `no answer within ${check.timeoutMs} ms`,
        }),
      check.timeoutMs,
    );
    const onAbort = () => finish({ success: false, errorType: 'timeout_total', message: 'probe cancelled' });
    signal?.addEventListener('abort', onAbort, { once: true });

    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    req = send(url, {
      method: check.method,
      headers: { 'user-agent': 'inferwatch-prober', ...check.headers },
      agent: false,
      rejectUnauthorized: !check.insecureSkipVerify,
    });
    req.on('socket', (socket: Socket) => {
      socket.once('lookup', () => {
        marks.lookup = clock();
      });
      socket.once('connect', () => {
        marks.connect = clock();
      });
      socket.once('secureConnect', () => {
        marks.tls = clock();
        certExpiresAt = earliestExpiry((socket as TLSSocket).getPeerCertificate(true));
      });
    });
    // Before the response: the connection failed. After it: the body broke off, a cut like the gateway's.
    req.on('error', (error) => finish(networkFailure(error, marks.firstByte !== undefined)));
    req.on('response', (res: IncomingMessage) => {
      marks.firstByte = clock();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < check.maxBodyBytes) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (error) => finish(networkFailure(error, true)));
      res.on('end', () => {
        marks.end = clock();
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8').slice(0, check.maxBodyBytes);
        finish(judge(check, status, body, res.headers, marks.end - marks.start, certExpiresAt, now()));
      });
    });
    req.end(check.body);
  });

function networkFailure(error: unknown, midStream: boolean) {
  const failed = classifyNetworkError(error, { midStream });
  return { success: false, errorType: failed.type, message: failed.message };
}

/** `expectStatus` entries: a code, a class like "2xx", or an inclusive range [200, 299]. */
export type StatusMatcher = number | string | readonly [number, number];

export function statusMatches(status: number, expected: readonly StatusMatcher[]): boolean {
  return expected.some((entry) => {
    if (typeof entry === 'number') return status === entry;
    if (typeof entry === 'string') return Math.floor(status / 100) === Number(entry[0]);
    return status >= entry[0] && status <= entry[1];
  });
}

function judge(
  check: ResolvedHttpCheck,
  status: number,
  body: string,
  headers: IncomingMessage['headers'],
  responseTimeMs: number,
  certExpiresAt: number | undefined,
  nowMs: number,
): Omit<CheckOutcome, 'durationMs'> {
  if (!statusMatches(status, check.expectStatus as StatusMatcher[])) {
    return {
      success: false,
      statusCode: status,
      // An error status is the callee's failure, classified as the gateway would; a 2xx or 3xx other than
      // the expected one is the check's own expectation not holding.
      errorType: status >= 400 ? classifyStatus(status, 'http') : 'assertion_failed',
      message: `status ${status} not in expectStatus`,
    };
  }
  const evaluation = evaluate(check.parsedConditions, {
    status,
    body,
    headers,
    responseTimeMs,
    certificateExpiresInMs: certExpiresAt === undefined ? undefined : certExpiresAt - nowMs,
  });
  if (!evaluation.ok) {
    return {
      success: false,
      statusCode: status,
      errorType: evaluation.malformed ? 'malformed_response' : 'assertion_failed',
      message: evaluation.reason,
    };
  }
  return { success: true, statusCode: status };
}
