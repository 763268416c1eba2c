/** Client traffic against the gateway: one plain and one streaming chat completion per round. */
export interface Traffic {
  sent: number;
  statuses: Map<number, number>;
  stop(): Promise<void>;
}

const chat = (stream: boolean) => ({
  model: 'sim-small',
  stream,
  ...(stream ? { stream_options: { include_usage: true } } : {}),
  messages: [{ role: 'user', content: 'Say hello' }],
});

export async function postChat(gatewayURL: string, stream: boolean, headers: Record<string, string> = {}) {
  const response = await fetch(`${gatewayURL}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(chat(stream)),
    signal: AbortSignal.timeout(15_000),
  });
  await response.text();
  return response;
}

export function startTraffic(gatewayURL: string, pauseMs = 200): Traffic {
  const traffic: Traffic = { sent: 0, statuses: new Map(), stop: async () => {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      const results = await Promise.allSettled([postChat(gatewayURL, false), postChat(gatewayURL, true)]);
      for (const result of results) {
        traffic.sent++;
        const status = result.status === 'fulfilled' ? result.value.status : 0;
        traffic.statuses.set(status, (traffic.statuses.get(status) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  traffic.stop = async () => {
    running = false;
    await loop;
  };
  return traffic;
}
