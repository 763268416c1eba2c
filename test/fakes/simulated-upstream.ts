import type { Socket } from 'node:net';
import { type Listening, listen } from '../../src/http/index.ts';
import {
  createSimulator,
  defaultInstance,
  type RecordedRequest,
  type RuntimeFaults,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
} from '../../src/simulator/index.ts';

/**
 * One upstream provider for a test: the built-in simulator on its own port, instance "default" at
 * `baseURL`. Faults by model name (`sim-small+fault-500`) or for every request (`setFaults`), plus what
 * the simulator cannot see from inside a router: how many TCP connections the gateway opened.
 */
export interface SimulatedUpstream {
  simulator: Simulator;
  url: string;
  /** `${url}/v1`: the OpenAI base URL of instance "default". */
  baseURL: string;
  /** Live counters of instance "default" (chat requests, streams, aborted, cut, inFlight, byStatus). */
  readonly stats: SimulatorStats;
  /** TCP connections accepted so far: keep-alive reuse shows as few. */
  readonly connections: number;
  /** Bytes handed to the kernel on every connection so far: how much of a stream left the upstream. */
  readonly bytesWritten: number;
  /** The last chat request: body as sent, headers with credentials redacted. */
  readonly last: RecordedRequest | undefined;
  /** Runtime faults for every request; undefined makes it healthy again. */
  setFaults(faults?: RuntimeFaults): void;
  close(): Promise<void>;
}

export async function startSimulatedUpstream(options: SimulatorOptions = {}): Promise<SimulatedUpstream> {
  const simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0, ...options });
  const listening: Listening = await listen(simulator.app);
  let connections = 0;
  let closedBytes = 0;
  const open = new Set<Socket>();
  listening.server.on('connection', (socket: Socket) => {
    connections += 1;
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      closedBytes += socket.bytesWritten;
    });
  });
  return {
    simulator,
    url: listening.url,
    baseURL: `${listening.url}/v1`,
    get stats() {
      return simulator.stats(defaultInstance);
    },
    get connections() {
      return connections;
    },
    get bytesWritten() {
      let bytes = closedBytes;
      for (const socket of open) bytes += socket.bytesWritten;
      return bytes;
    },
    get last() {
      return simulator.lastRequest(defaultInstance);
    },
    setFaults(faults) {
      if (faults) simulator.setFaults(defaultInstance, faults);
      else simulator.resetFaults(defaultInstance);
    },
    async close() {
      simulator.close();
      await listening.close();
    },
  };
}
