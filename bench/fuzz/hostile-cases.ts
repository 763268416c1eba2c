/**
 * The attack classes the hostile fuzzer draws from, each a generator of one random case and the oracle
 * its answer must satisfy. Every class is one that was found open by attacking the gateway: a case that
 * breaks its oracle means the class has opened again.
 */
export const attackClasses = [
  'upgrade', // an Upgrade request on any path: answered (never left hanging), never switched
  'nesting', // JSON nested around and far beyond the depth limit
  'modelName', // long, control-character, unicode and Object.prototype model names
  'simulatorControl', // the simulator's controls without the key, in every spelling express accepts
  'token', // random bearer tokens of any size: refused, never a key
  'lookup', // Object.prototype names in path parameters
  'upstreamError', // an upstream failing with its own error text: the client never sees that text
  'legit', // an ordinary request between the others: the gateway keeps serving
] as const;

export type AttackClass = (typeof attackClasses)[number];

/** One case: either an HTTP request for fetch, or raw bytes for a socket (upgrades). */
export type Case =
  | {
      kind: 'http';
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string;
      /** Why the answer is wrong, or undefined when it is right. */
      check(status: number, body: string): string | undefined;
    }
  | { kind: 'raw'; bytes: string; leave: boolean; check(head: string | undefined): string | undefined };

export interface CaseContext {
  key: string;
  random: () => number;
}

/** Routes (see hostile.ts) whose only target fails with the simulator's own error text. */
export const faultyRoutes = {
  'faulty-auth': 'sim-small+fault-auth',
  'faulty-500': 'sim-small+fault-500',
  'faulty-503': 'sim-small+fault-503',
  'faulty-429': 'sim-small+fault-429',
  'faulty-overloaded': 'sim-small+fault-overloaded',
} as const;

const MAX_DEPTH = 64;
const MAX_NAME = 256;
const prototypeNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf'];

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const between = (random: () => number, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

/** Deterministic PRNG (mulberry32): a seed reproduces a run's sequence of cases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const chat = (model: unknown, extra = '') =>
  `{"model":${JSON.stringify(model)},"messages":[{"role":"user","content":"hi"${extra}}]}`;

const expectStatus =
  (allowed: readonly number[], code?: string) =>
  (status: number, body: string): string | undefined => {
    if (!allowed.includes(status))
      return `status ${status}, expected ${allowed.join(' or ')}: ${body.slice(0, 160)}`;
    if (code && !body.includes(`"code":"${code}"`)) return `status ${status} without code ${code}`;
    return undefined;
  };

/** Random JSON nested exactly `depth` levels (arrays and objects mixed), with brackets inside strings. */
function nested(random: () => number, depth: number): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level += 1) {
    if (random() < 0.5) {
      open += '[';
      close = `]${close}`;
    } else {
      open += `{"k${level % 7}":`;
      close = `}${close}`;
    }
  }
  const leaf = random() < 0.3 ? JSON.stringify('[{'.repeat(between(random, 1, 50))) : '0';
  return `${open}${leaf}${close}`;
}

function modelName(random: () => number): string {
  const roll = random();
  if (roll < 0.2) return pick(random, prototypeNames);
  const length = pick(random, [1, 8, 40, 255, 256, 257, 300, 2_000, 100_000]);
  const alphabet = pick(random, ['ascii', 'unicode', 'control'] as const);
  let name = '';
  while (name.length < length) {
    if (alphabet === 'unicode') name += pick(random, ['é', '模', '😀', 'ß', 'z']);
    else if (alphabet === 'control' && random() < 0.05) name += String.fromCharCode(between(random, 0, 31));
    // No '+': the simulator reads `+fault-…` in a model name as a fault to inject.
    else name += String.fromCharCode(between(random, 0x21, 0x7e)).replace('+', '-');
  }
  return name;
}

const codePoints = (text: string) => [...text].length;
// Control characters (C0, DEL, C1), as the gateway refuses them.
const controlCharacter = /\p{Cc}/u;

export const generators: Record<AttackClass, (context: CaseContext) => Case> = {
  upgrade({ key, random }) {
    const path = pick(random, [
      '/health',
      '/v1/models',
      '/api/providers',
      '/ws/events',
      '/ws/events/',
      '/WS/EVENTS',
      '//[',
      '/nope',
      '/',
    ]);
    const protocol = pick(random, ['h2c', 'websocket', 'WebSocket', 'foo/1.0', 'h2c, websocket']);
    const auth = random() < 0.5 ? `Authorization: Bearer ${key}\r\n` : '';
    const bytes = `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\n${auth}\r\n`;
    return {
      kind: 'raw',
      bytes,
      leave: random() < 0.5,
      check: (head) => {
        if (head === undefined) return `no answer to an Upgrade on ${path}`;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
        if (status === 101) return `switched protocols on ${path}`;
        if (!(status >= 200 && status < 500)) return `status ${status} for an Upgrade on ${path}`;
        return undefined;
      },
    };
  },
  nesting({ key, random }) {
    const depth = pick(random, [
      between(random, 1, MAX_DEPTH),
      between(random, MAX_DEPTH + 1, 300),
      between(random, 1_000, 20_000),
    ]);
    // The body, messages and the message add three levels.
    const inner = Math.max(1, depth - 3);
    const total = inner + 3;
    return {
      kind: 'http',
      method: 'POST',
      path: pick(random, ['/v1/chat/completions', '/api/chat']),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chat('sim-small', `,"extra":${nested(random, inner)}`),
      check: total <= MAX_DEPTH ? expectStatus([200]) : expectStatus([400], 'json_too_deep'),
    };
  },
  modelName({ key, random }) {
    const name = modelName(random);
    const valid = codePoints(name) <= MAX_NAME && !controlCharacter.test(name);
    return {
      kind: 'http',
      method: 'POST',
      path: pick(random, ['/v1/chat/completions', '/api/chat']),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chat(name),
      // A valid name reaches the simulated upstream, which serves only its own models: 404 passed through.
      check: valid ? expectStatus([200, 404]) : expectStatus([400], 'invalid_value'),
    };
  },
  simulatorControl({ random }) {
    const spelled = pick(random, ['_sim', '_SIM', '_Sim']);
    const mount = pick(random, ['/simulator', '/SIMULATOR', '/Simulator']);
    const tail = pick(random, [
      '/primary/faults',
      '/primary/faults/',
      '/primary/last-request',
      '/primary/stats',
      '',
      '/',
    ]);
    const method = pick(random, ['GET', 'PUT', 'DELETE']);
    return {
      kind: 'http',
      method,
      path: `${mount}/${spelled}${tail}`,
      headers: { 'content-type': 'application/json' },
      body: method === 'PUT' ? '{"mode":"outage"}' : undefined,
      check: expectStatus([401, 404, 405]),
    };
  },
  token({ random }) {
    const token = Buffer.from(
      Array.from({ length: between(random, 1, 6_000) }, () => between(random, 0x21, 0x7e)),
    ).toString('latin1');
    const header = pick(random, ['authorization', 'x-api-key', 'api-key']);
    return {
      kind: 'http',
      method: 'GET',
      path: pick(random, ['/api/providers', '/v1/models', '/api/incidents', '/api/metrics']),
      headers: { [header]: header === 'authorization' ? `Bearer ${token}` : token },
      check: expectStatus([401]),
    };
  },
  lookup({ key, random }) {
    const name = pick(random, prototypeNames);
    const [method, path] = pick(random, [
      ['POST', `/api/providers/${name}/probe`],
      ['GET', `/api/probes/${name}`],
      ['GET', `/api/analyses/${name}`],
    ] as const);
    return {
      kind: 'http',
      method,
      path,
      headers: { authorization: `Bearer ${key}` },
      check: expectStatus([404]),
    };
  },
  upstreamError({ key, random }) {
    const route = pick(random, Object.keys(faultyRoutes));
    return {
      kind: 'http',
      method: 'POST',
      path: pick(random, ['/v1/chat/completions', '/api/chat']),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chat(route),
      check: (status, body) => {
        // Every simulator error text says "(simulated …)"; none of it may reach the client.
        if (body.includes('simulated')) return `${route}: the upstream's error text reached the client`;
        return expectStatus([429, 502, 503])(status, body);
      },
    };
  },
  legit({ key, random }) {
    return {
      kind: 'http',
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chat(pick(random, ['sim-small', 'sim-large'])),
      check: expectStatus([200]),
    };
  },
};
