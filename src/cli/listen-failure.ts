/** Why binding failed, in one line that says what to do; undefined for errors that are not about binding. */
export function listenFailure(error: unknown): string | undefined {
  const { code, address, port } = (error ?? {}) as { code?: unknown; address?: unknown; port?: unknown };
  const where = `${typeof address === 'string' ? address : 'the address'}:${typeof port === 'number' ? port : '?'}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use (another inferwatch? choose another with --port N)`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; choose another with --port N)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: this machine has no such address (choose another with --host)`;
    default:
      return undefined;
  }
}
