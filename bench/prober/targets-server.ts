/**
 * The probed side: one HTTP server answering every path (/t/0 … /t/N) with a small JSON body, so 2,000
 * targets cost one process. Prints its URL. Usage: node bench/prober/targets-server.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`{"status":"ok","path":"${req.url}"}`);
});
server.keepAliveTimeout = 1_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => process.exit(0));
