import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerSearchAttributeArgs } from '../domain/search-attributes';

/**
 * Runs a Temporal dev server (`temporal server start-dev`: a real single-process Temporal server with the Web UI)
 * that keeps its state in a SQLite file under the data directory, so running workflows survive a restart.
 */
export interface DevServerOptions {
  /** The `temporal` CLI (see temporalCliPath()); undefined → the SDK downloads one (needs internet). */
  cliPath?: string;
  /** State lives in <dataDir>/temporal/temporal.db, the server's output in <dataDir>/temporal/server.log. */
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The Web UI's remote codec endpoint (the API's /codec), so the UI can ask it to decrypt payloads. */
  codecEndpoint?: string;
  /**
   * How the SQLite store commits (see SQLITE_DURABILITY): 'process-crash' (the default) survives a kill -9 of the
   * server; 'none' (throwaway servers of the benches) does not wait for the disk at all.
   */
  durability?: keyof typeof SQLITE_DURABILITY;
  /** Receives each line the server prints (it goes to server.log either way). */
  log?: (line: string) => void;
}

export interface DevServer {
  /** host:port of the gRPC frontend. */
  address: string;
  uiUrl: string;
  /** The server's process id (undefined when the SDK runs it): fault tests kill it. */
  pid?: number;
  /** Sends SIGTERM and waits for the server to exit (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
}

const IP = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/**
 * The store's SQLite pragmas. SQLite's default (rollback journal, synchronous=FULL) waits for the disk several times
 * per commit, and a dev server commits at every step of every workflow: on this project's 2-core VM it bound a worker to
 * 3 matters/s while neither the server nor the worker used a core (bench:worker). A write-ahead log with
 * synchronous=NORMAL is durable across a crash of the process (kill -9, what `npm run chaos` does); only a crash of
 * the operating system may lose the last commits. A production Temporal cluster keeps its own persistence
 * (docs/SCALING.md).
 */
export const SQLITE_DURABILITY = {
  'process-crash': ['journal_mode=wal', 'synchronous=normal'],
  none: ['journal_mode=wal', 'synchronous=off'],
} as const;

const sqlitePragmaArgs = (durability: keyof typeof SQLITE_DURABILITY = 'process-crash') => SQLITE_DURABILITY[durability].flatMap((p) => ['--sqlite-pragma', p]);

/** Settings every caller wants: workflow updates on, no newsfeed fetch from the UI (it has no internet). */
const COMMON_ARGS = [
  '--dynamic-config-value',
  'frontend.enableUpdateWorkflowExecution=true',
  '--dynamic-config-value',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  '--ui-disable-news-fetch',
  // The service's search attributes (domain/search-attributes.ts), registered with the server's own store.
  ...devServerSearchAttributeArgs(),
];

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const dir = resolve(opts.dataDir, 'temporal');
  mkdirSync(dir, { recursive: true });
  const dbFilename = join(dir, 'temporal.db');
  const logPath = join(dir, 'server.log');
  const address = `${IP}:${opts.port}`;
  const uiUrl = `http://${IP}:${opts.uiPort}`;

  await assertPortFree(opts.port, 'Temporal frontend (TEMPORAL_DEV_PORT)');
  await assertPortFree(opts.uiPort, 'Temporal Web UI (TEMPORAL_UI_PORT)');

  if (!opts.cliPath) return startWithSdkDownload(opts, dbFilename, address, uiUrl);

  const args = [
    'server',
    'start-dev',
    '--ip',
    IP,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    dbFilename,
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    '--color',
    'never',
    ...COMMON_ARGS,
    ...sqlitePragmaArgs(opts.durability),
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
  ];

  const logFile = createWriteStream(logPath, { flags: 'a' });
  logFile.write(`\n--- ${new Date().toISOString()} ${opts.cliPath} ${args.join(' ')}\n`);
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const recent = pipeLines(child, logFile, opts.log);
  const lastLines = () => `See ${logPath}; its last lines:\n${recent.join('\n')}`;

  // 'close' rather than 'exit': by then the server's last output has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('close', (code, signal) => res({ code, signal }));
  });
  const spawnFailed = new Promise<Error>((res) => child.once('error', res));
  // If this process ends without stop(), don't leave a server holding the SQLite file and the ports.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const stop = once(async () => {
    process.removeListener('exit', killOnExit);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((res) => logFile.end(res));
  });

  let starting = true;
  try {
    await Promise.race([
      waitUntilReady(address, opts.namespace, () => starting),
      spawnFailed.then((err) => {
        throw new Error(`Could not start the Temporal CLI at ${opts.cliPath}: ${err.message}`);
      }),
      exited.then(({ code, signal }) => {
        throw new Error(
          `The Temporal dev server exited during startup (${signal ?? `exit code ${code}`}). ${lastLines()}`,
        );
      }),
      delay(READY_TIMEOUT_MS).then(() => {
        throw new Error(
          `The Temporal dev server did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s. ${lastLines()}`,
        );
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    starting = false;
  }
  return { address, uiUrl, pid: child.pid, stop };
}

/** Last resort: the SDK downloads the CLI (needs internet) and runs it with the same settings; output is inherited. */
async function startWithSdkDownload(
  opts: DevServerOptions,
  dbFilename: string,
  address: string,
  uiUrl: string,
): Promise<DevServer> {
  opts.log?.('No Temporal CLI path given; letting the Temporal SDK download the CLI (needs internet access).');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: IP,
      port: opts.port,
      ui: true,
      uiPort: opts.uiPort,
      dbFilename,
      namespace: opts.namespace,
      log: { format: 'pretty', level: 'warn' },
      extraArgs: ['--ui-disable-news-fetch', ...devServerSearchAttributeArgs(), ...sqlitePragmaArgs(opts.durability), ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : [])],
    },
  }).catch((err: unknown) => {
    throw new Error(
      'No Temporal CLI path was given (run `node scripts/install-temporal.mjs` to install one under .temporal/, ' +
        `or set TEMPORAL_CLI_PATH), and the Temporal SDK could not download one: ${(err as Error).message}`,
    );
  });
  return { address, uiUrl, stop: once(() => env.teardown()) };
}

/** Polls the frontend until it answers and knows the namespace (or the caller stops waiting). */
async function waitUntilReady(address: string, namespace: string, keepWaiting: () => boolean): Promise<void> {
  while (keepWaiting()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch {
      await delay(250);
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

async function assertPortFree(port: number, what: string): Promise<void> {
  const answered = await new Promise<boolean>((res) => {
    const socket = createConnection({ host: IP, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), res(true)));
    socket.once('timeout', () => (socket.destroy(), res(false)));
    socket.once('error', () => res(false));
  });
  const bindError = answered
    ? undefined
    : await new Promise<NodeJS.ErrnoException | undefined>((res) => {
        const server = createServer();
        server.once('error', (err: NodeJS.ErrnoException) => res(err));
        server.listen(port, IP, () => server.close(() => res(undefined)));
      });
  if (answered || bindError?.code === 'EADDRINUSE') {
    throw new Error(
      `Port ${port} on ${IP}, for the ${what}, is already in use — is another Temporal dev server or \`npm start\` running? ` +
        'Stop it, or choose other ports with TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT.',
    );
  }
  if (bindError) throw new Error(`Cannot listen on ${IP}:${port}, for the ${what}: ${bindError.message}`);
}

/** Copies the server's output to the log file and to `log`, line by line; returns its last 20 lines, kept current. */
function pipeLines(child: ChildProcess, file: NodeJS.WritableStream, log?: (line: string) => void): string[] {
  const recent: string[] = [];
  const emit = (line: string) => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      file.write(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(emit);
    });
    stream.on('end', () => {
      emit(pending);
      pending = '';
    });
  }
  return recent;
}

function delay(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms).unref());
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
