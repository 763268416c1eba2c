/**
 * The baseline "bare pass-through proxy": what any Node reverse proxy costs with no routing, breakers,
 * telemetry or parsing. node:http in, an undici pool out, bytes piped both ways. Usage:
 *   node bench/gateway/bare-proxy.ts <port> <upstream base URL>
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [portText, upstreamText] = process.argv.slice(2);
if (!portText || !upstreamText) {
  console.error('usage: bare-proxy.ts <port> <upstream base URL>');
  process.exit(2);
}
const upstream = new URL(upstreamText);
// No connection cap, like Node's own agent: a capped pool would queue long streams beyond the cap.
const pool = new Pool(upstream.origin, { connections: null, pipelining: 1 });
const prefix = upstream.pathname.replace(/\/+$/, '');

const server = createServer(async (req, res) => {
  try {
    const path = `${prefix}${(req.url ?? '/').replace(/^\/v1/, '')}`;
    const { statusCode, headers, body } = await pool.request({
      method: (req.method ?? 'GET') as 'GET' | 'POST',
      path,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: req.method === 'GET' ? null : req,
    });
    const contentType = headers['content-type'];
    res.writeHead(statusCode, typeof contentType === 'string' ? { 'content-type': contentType } : {});
    for await (const chunk of body) res.write(chunk);
    res.end();
  } catch (error) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: (error as Error).message, type: 'api_error' } }));
  }
});
server.listen(Number(portText), '127.0.0.1', () =>
  console.log(`bare proxy on ${portText} → ${upstream.href}`),
);
// Exit normally on SIGTERM, so `node --cpu-prof` writes its profile when the bench stops the proxy.
process.on('SIGTERM', () => process.exit(0));
