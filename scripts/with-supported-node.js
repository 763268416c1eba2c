// Runs a command on a Node that can execute the TypeScript sources (>= 22.18 strips types by itself).
// npm scripts go through here so `npm start` or `npm test` from a shell whose PATH still finds an older
// Node first uses the Node 24 that scripts/setup.sh installed into $HOME/.node24, and otherwise stops
// with one line saying how to get it, instead of Node's ERR_UNKNOWN_FILE_EXTENSION ".ts".
// Plain JavaScript that any Node since 12 parses: it must run on the very Node it is replacing.
//   node scripts/with-supported-node.js <command> [args...]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const minimum = [22, 18];
const supported = (version) => {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
};

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-supported-node.js <command> [args...]');
  process.exit(2);
}

const env = { ...process.env };
if (!supported(process.version)) {
  const prefix = process.env.INFERWATCH_NODE24_PREFIX || join(homedir(), '.node24');
  const node24 = join(prefix, 'bin', 'node');
  if (!existsSync(node24)) {
    console.error(
      `inferwatch needs Node.js >= ${minimum.join('.')} (this is ${process.version} at ${process.execPath}); install Node 24 with: npm i -g --prefix "$HOME/.node24" node@24 && export PATH="$HOME/.node24/bin:$PATH"`,
    );
    process.exit(1);
  }
  // Every `node` the command starts (vitest's workers, tsx, the shebang of a bin) now resolves to Node 24.
  env.PATH = `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}`;
}

const child = spawn(command, args, { stdio: 'inherit', env });
// A signal sent to this launcher alone (a supervisor's SIGTERM) must reach the real process.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  console.error(`could not run ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (!signal) process.exit(code ?? 1);
  // Die of the same signal so the caller (npm, a shell) sees what happened to the command.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
});
