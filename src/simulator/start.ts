import { listen } from '../http/index.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator.ts';

export interface StartSimulatorOptions extends SimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface RunningSimulator extends Simulator {
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  url: string;
  /** An OpenAI base URL for one instance: `${url}/${instance}/v1`, each with its own faults and stats. */
  baseURL(instance?: string): string;
  /** Ends open exchanges and closes the server. */
  close(): Promise<void>;
}

/**
 * The fake OpenAI-compatible provider on its own port, for tests of code that calls an LLM: faults by
 * model name (`sim-small+fault-429`) or per instance at runtime (`setFaults('primary', { mode: 'outage' })`).
 */
export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const { host = '127.0.0.1', port = 0, ...simulatorOptions } = options;
  const simulator = createSimulator(simulatorOptions);
  const listening = await listen(simulator.app, { host, port });
  return {
    ...simulator,
    url: listening.url,
    baseURL: (instance = 'default') =>
      instance === 'default' ? `${listening.url}/v1` : `${listening.url}/${instance}/v1`,
    async close() {
      simulator.close();
      await listening.close();
    },
  };
}
