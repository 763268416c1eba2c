import { boundedKeyPart, defineScript, type RedisLink } from '../../redis/index.ts';
import { periodKeepMs, periodOf, TOKEN_WINDOW_MS } from './periods.ts';
import type { ClientLimits, Period, PeriodUse, QuotaStore, QuotaSubject, QuotaVerdict } from './types.ts';

/**
 * The whole check of one request, atomic on the server: budgets (day, month), then the token minute,
 * then the request window, which is counted only if everything allows it. A window starts with its
 * client's first request (field s) and counts in field n; a period's hash holds micro-dollars (u) and
 * tokens (t). A limit of 0 means none.
 * KEYS: request window, token window, day spend, month spend.
 * ARGV: now, requests, windowMs, tokensPerMinute, tokenWindowMs, day usd, day tokens, month usd,
 *       month tokens, spends (1/0).
 * Returns: refusal ('' | requests | tokens | day | month), request window start (-1 none) and count,
 *          token window start (-1 none) and count, day usd and tokens, month usd and tokens.
 */
const checkLua = `
local now = tonumber(ARGV[1])
local function window(key, length)
  local start = tonumber(redis.call('hget', key, 's'))
  if not start or now - start >= length then return -1, 0 end
  return start, tonumber(redis.call('hget', key, 'n')) or 0
end
local function spent(key)
  local values = redis.call('hmget', key, 'u', 't')
  return tonumber(values[1]) or 0, tonumber(values[2]) or 0
end
local function over(used, limit) return limit > 0 and used >= limit end
local spends = ARGV[10] == '1'
local refusal = ''
local dayUsd, dayTokens = spent(KEYS[3])
local monthUsd, monthTokens = spent(KEYS[4])
if spends then
  if over(dayUsd, tonumber(ARGV[6])) or over(dayTokens, tonumber(ARGV[7])) then refusal = 'day'
  elseif over(monthUsd, tonumber(ARGV[8])) or over(monthTokens, tonumber(ARGV[9])) then refusal = 'month' end
end
local tokenStart, tokenCount = window(KEYS[2], tonumber(ARGV[5]))
if refusal == '' and spends and over(tokenCount, tonumber(ARGV[4])) then refusal = 'tokens' end
local requests, windowMs = tonumber(ARGV[2]), tonumber(ARGV[3])
local requestStart, requestCount = window(KEYS[1], windowMs)
if refusal == '' and requests > 0 then
  if requestStart >= 0 and requestCount >= requests then
    refusal = 'requests'
  else
    if requestStart < 0 then
      requestStart = now
      redis.call('del', KEYS[1])
      redis.call('hset', KEYS[1], 's', now)
      redis.call('pexpire', KEYS[1], windowMs)
    end
    requestCount = redis.call('hincrby', KEYS[1], 'n', 1)
  end
end
return {refusal, requestStart, requestCount, tokenStart, tokenCount, dayUsd, dayTokens, monthUsd, monthTokens}`;

/**
 * What a finished request used: its tokens join the token minute (started now if none is running) and
 * both periods' spend. KEYS: token window, day spend, month spend.
 * ARGV: now, tokens, micro-dollars, tokenWindowMs, count tokens per minute (1/0), day keep, month keep.
 */
const chargeLua = `
local now, tokens, usd = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[5] == '1' and tokens > 0 then
  local length = tonumber(ARGV[4])
  local start = tonumber(redis.call('hget', KEYS[1], 's'))
  if not start or now - start >= length then
    redis.call('del', KEYS[1])
    redis.call('hset', KEYS[1], 's', now)
    redis.call('pexpire', KEYS[1], length)
  end
  redis.call('hincrby', KEYS[1], 'n', tokens)
end
if tokens > 0 or usd > 0 then
  redis.call('hincrby', KEYS[2], 'u', usd)
  redis.call('hincrby', KEYS[2], 't', tokens)
  redis.call('pexpire', KEYS[2], ARGV[6])
  redis.call('hincrby', KEYS[3], 'u', usd)
  redis.call('hincrby', KEYS[3], 't', tokens)
  redis.call('pexpire', KEYS[3], ARGV[7])
end
return 1`;

const orZero = (value: number | null) => value ?? 0;

export interface RedisQuotaStore extends QuotaStore {
  /** The keys a subject's check touches (tests and the fleet store's reporting read them). */
  keys(subject: QuotaSubject, now: number): { requests: string; tokens: string; day: string; month: string };
}

/**
 * The fleet's counters on Redis: one EVALSHA per request check (auto-pipelined with whatever else goes
 * out in the same tick) and one per finished request. Errors reject: the fleet store decides what a
 * replica does without Redis.
 */
export function createRedisQuotaStore(link: RedisLink): RedisQuotaStore {
  const check = defineScript(link.commands, checkLua, 4);
  const charge = defineScript(link.commands, chargeLua, 3);
  const keys = (subject: QuotaSubject, now: number) => {
    const limiter = boundedKeyPart(subject.limiter);
    const budget = boundedKeyPart(subject.budget);
    return {
      requests: link.key(`quota:requests:${limiter}`),
      tokens: link.key(`quota:tokens:${limiter}`),
      day: link.key(`quota:spend:day:${periodOf('day', now).name}:${budget}`),
      month: link.key(`quota:spend:month:${periodOf('month', now).name}:${budget}`),
    };
  };
  const use = (period: Period, now: number, usdMicros: unknown, tokens: unknown): PeriodUse => ({
    usdMicros: Number(usdMicros) || 0,
    tokens: Number(tokens) || 0,
    resetMs: periodOf(period, now).endsAt - now,
  });

  return {
    keys,
    async check(subject, limits: ClientLimits, { now, spends }) {
      const k = keys(subject, now);
      const { day, month } = limits.budgets;
      const reply = (await check(
        [k.requests, k.tokens, k.day, k.month],
        [
          now,
          orZero(limits.requests),
          limits.windowMs,
          orZero(limits.tokensPerMinute),
          TOKEN_WINDOW_MS,
          orZero(day.usdMicros),
          orZero(day.tokens),
          orZero(month.usdMicros),
          orZero(month.tokens),
          spends ? 1 : 0,
        ],
      )) as [string, number, number, number, number, number, number, number, number];
      const [refusal, requestStart, requestCount, tokenStart, tokenCount] = reply;
      const spent = {
        day: use('day', now, reply[5], reply[6]),
        month: use('month', now, reply[7], reply[8]),
      };
      const window = (limit: number, start: number, count: number, length: number) => ({
        limit,
        remaining: Math.max(0, limit - count),
        resetMs: start < 0 ? length : Math.max(0, start + length - now),
      });
      const verdict: QuotaVerdict = {
        allowed: refusal === '',
        retryAfterMs: 0,
        spent,
        scope: 'fleet',
        ...(limits.requests !== null
          ? { requests: window(limits.requests, requestStart, requestCount, limits.windowMs) }
          : {}),
        ...(spends && limits.tokensPerMinute !== null
          ? { tokens: window(limits.tokensPerMinute, tokenStart, tokenCount, TOKEN_WINDOW_MS) }
          : {}),
      };
      if (refusal === 'day' || refusal === 'month') {
        const period = refusal;
        return { ...verdict, refusedBy: 'budget', period, retryAfterMs: spent[period].resetMs };
      }
      if (refusal === 'tokens')
        return { ...verdict, refusedBy: 'tokens', retryAfterMs: verdict.tokens?.resetMs ?? 0 };
      if (refusal === 'requests')
        return { ...verdict, refusedBy: 'requests', retryAfterMs: verdict.requests?.resetMs ?? 0 };
      return verdict;
    },
    async charge(subject, limits, usage, now) {
      const k = keys(subject, now);
      await charge(
        [k.tokens, k.day, k.month],
        [
          now,
          usage.tokens,
          usage.usdMicros,
          TOKEN_WINDOW_MS,
          limits.tokensPerMinute !== null ? 1 : 0,
          periodKeepMs.day,
          periodKeepMs.month,
        ],
      );
    },
    async spent(client, now) {
      const k = keys({ limiter: client, budget: client }, now);
      const [day, month] = await Promise.all([
        link.commands.hmget(k.day, 'u', 't'),
        link.commands.hmget(k.month, 'u', 't'),
      ]);
      return { day: use('day', now, day[0], day[1]), month: use('month', now, month[0], month[1]) };
    },
  };
}
