// The services `npm start` needs, checked before anything is built: PostgreSQL (DATABASE_URL) and Redis
// (REDIS_URL), read as the API reads them (the environment, then .env in the project root, then the defaults).
// Each address is probed with a plain TCP connect. A local service that is installed but stopped is started
// as .ci/run does, and waited for; anything else ends in one message that says what to run or to change.
// Everything that touches the machine (probe, commands, clock) can be replaced, so the logic is testable.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';

export const DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/proxdeck',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
};

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

const POSTGRES = {
  name: 'PostgreSQL',
  setting: 'DATABASE_URL',
  defaultPort: 5432,
  debianPackage: 'postgresql',
  docker: (port) =>
    `docker run -d --name proxdeck-postgres -p 127.0.0.1:${port}:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16-bookworm`,
};

const REDIS = {
  name: 'Redis',
  setting: 'REDIS_URL',
  defaultPort: 6379,
  debianPackage: 'redis-server',
  docker: (port) => `docker run -d --name proxdeck-redis -p 127.0.0.1:${port}:6379 redis:7-bookworm`,
};

export const SERVICES = [POSTGRES, REDIS];

/** `KEY=value` lines of a .env file, parsed exactly as the API's readDotEnv does. */
export function parseDotEnv(text) {
  const entries = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1] || line.trimStart().startsWith('#')) continue;
    let value = match[2] ?? '';
    // A quoted value is taken whole; an unquoted one ends where " #" starts a comment.
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/(^|\s+)#.*$/, '');
    entries[match[1]] = value;
  }
  return entries;
}

export function readDotEnv(path) {
  return existsSync(path) ? parseDotEnv(readFileSync(path, 'utf8')) : {};
}

/** The value the API will use, and where it comes from: the environment wins over .env, .env over the default. */
export function readSetting(name, env, dotEnv) {
  if (env[name] !== undefined) return { value: env[name], source: 'the environment' };
  if (dotEnv[name] !== undefined) return { value: dotEnv[name], source: '.env' };
  return { value: DEFAULTS[name], source: 'the default' };
}

/**
 * Host and port of a postgres:// or redis:// URL; undefined when there is nothing to probe over TCP (not a
 * URL, a Unix socket): the API then reports the setting itself.
 */
export function addressOf(url, defaultPort) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  let host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const hostParam = parsed.searchParams.get('host'); // postgres://user@/db?host=/var/run/postgresql
  if (hostParam) host = hostParam;
  if (host === '' || host.startsWith('/')) return undefined;
  host = host.toLowerCase();
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  return { host, port, local: LOCAL_HOSTS.has(host) };
}

/** The URL with its password hidden, for messages. */
export function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** A command line as one would type it in a shell. */
export function shellLine(command, args) {
  const quote = (word) => (word === '' ? '""' : /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word}'`);
  return [command, ...args].map(quote).join(' ');
}

function hostPort({ host, port }) {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * How to start a local service that does not answer, on this machine:
 * `start` (a command to run), `sudo` (a command the user must run as root), `missing` (not installed) or
 * `manual` (installed, but not in a way this script can start).
 */
export function planStart(service, address, system) {
  const sudo = system.isRoot ? '' : 'sudo ';
  if (service === POSTGRES) {
    if (system.has('pg_ctlcluster')) {
      const clusters = system.postgresClusters();
      if (clusters.length > 0) {
        const cluster = clusters.find((candidate) => candidate.port === address.port);
        if (!cluster) {
          const ports = clusters.map(({ version, port }) => `${version}/main on port ${port}`).join(', ');
          return {
            kind: 'manual',
            text: `The PostgreSQL clusters here (${ports}) do not listen on port ${address.port}.`,
          };
        }
        const args = ['--skip-systemctl-redirect', cluster.version, 'main', 'start'];
        if (system.isRoot) return { kind: 'start', command: 'pg_ctlcluster', args };
        return { kind: 'sudo', line: `sudo pg_ctlcluster ${cluster.version} main start` };
      }
    }
    if (system.has('pg_ctl') || system.has('postgres')) {
      return {
        kind: 'manual',
        text: 'PostgreSQL is installed but not running; start it (your service manager, or pg_ctl -D <data directory> start).',
      };
    }
    return { kind: 'missing', install: `${sudo}apt-get install -y ${service.debianPackage}` };
  }
  if (system.has('redis-server')) {
    const bind = address.host === '::1' ? '::1' : '127.0.0.1';
    const args = ['--daemonize', 'yes', '--bind', bind, '--port', String(address.port)];
    args.push('--save', '', '--appendonly', 'no');
    if (address.port < 1024 && !system.isRoot)
      return { kind: 'sudo', line: `sudo ${shellLine('redis-server', args)}` };
    return { kind: 'start', command: 'redis-server', args };
  }
  return { kind: 'missing', install: `${sudo}apt-get install -y ${service.debianPackage}` };
}

/**
 * After `apt-get install postgresql`, Debian's cluster asks for a password over TCP (scram-sha-256), so a
 * DATABASE_URL for user postgres without one would fail next: the two commands that give it one and use it.
 */
export function postgresPasswordSteps(setting, isRoot) {
  const url = new URL(setting.value);
  if (url.password !== '' || (url.username !== '' && url.username !== 'postgres')) return [];
  url.username = 'postgres';
  url.password = 'postgres';
  const asPostgres = isRoot ? 'runuser -u postgres --' : 'sudo -u postgres';
  return [
    `${asPostgres} psql -c "ALTER USER postgres PASSWORD 'postgres'"`,
    setting.source === 'the environment'
      ? `export DATABASE_URL='${url}'`
      : `echo 'DATABASE_URL=${url}' >> .env`,
  ];
}

/**
 * Checks PostgreSQL and Redis, starting local ones that are installed but stopped.
 * Resolves to { ok, problems }: each problem is a message for the user, saying what to run or change.
 */
export async function ensureServices({
  env = process.env,
  dotEnv = {},
  probe = tcpProbe,
  system = localSystem(),
  now = Date.now,
  sleep = (ms) => new Promise((done) => setTimeout(done, ms)),
  log = (line) => console.log(line),
  waitMs = 30_000,
  pollMs = 250,
} = {}) {
  const checks = SERVICES.map((service) => {
    const setting = readSetting(service.setting, env, dotEnv);
    const address = addressOf(setting.value, service.defaultPort);
    return { service, setting, address };
  }).filter((check) => check.address !== undefined);
  const first = await Promise.all(checks.map(({ address }) => probe(address.host, address.port)));

  const problems = [];
  for (const [index, { service, setting, address }] of checks.entries()) {
    const answer = first[index];
    if (answer.ok) continue;
    const where = `${service.setting}=${redact(setting.value)}, from ${setting.source}`;
    const down = `${service.name} does not answer at ${hostPort(address)} (${answer.reason}; ${where}).`;
    const orChange = `Or set ${service.setting} in .env or the environment to a ${service.name} that is running.`;
    if (!address.local) {
      problems.push(
        `${down}\nStart it there, or set ${service.setting} in .env or the environment to one that is running.`,
      );
      continue;
    }
    const plan = planStart(service, address, system);
    if (plan.kind === 'missing') {
      const password = service === POSTGRES ? postgresPasswordSteps(setting, system.isRoot) : [];
      problems.push(
        [
          down,
          `${service.name} is not installed here. Install it (Debian, Ubuntu):`,
          `    ${plan.install}`,
          ...(password.length > 0
            ? [
                `  and, as Debian's PostgreSQL asks for a password over TCP:`,
                ...password.map((step) => `    ${step}`),
              ]
            : []),
          'or run it in Docker:',
          `    ${service.docker(address.port)}`,
          `then run npm start again. ${orChange}`,
        ].join('\n'),
      );
      continue;
    }
    if (plan.kind === 'sudo') {
      problems.push(
        `${down}\nIt is installed but stopped, and starting it needs root. Run:\n    ${plan.line}\nthen npm start again.`,
      );
      continue;
    }
    if (plan.kind === 'manual') {
      problems.push(`${down}\n${plan.text} ${orChange}`);
      continue;
    }
    const line = shellLine(plan.command, plan.args);
    log(`${service.name} is not running at ${hostPort(address)}; starting it: ${line}`);
    const result = await system.run(plan.command, plan.args);
    if (result.status !== 0) {
      problems.push(
        `${down}\nStarting it failed (${line}: exit ${result.status ?? result.signal}). ${orChange}`,
      );
      continue;
    }
    const deadline = now() + waitMs;
    for (;;) {
      const again = await probe(address.host, address.port);
      if (again.ok) {
        log(`${service.name} is up at ${hostPort(address)}.`);
        break;
      }
      if (now() >= deadline) {
        problems.push(
          `${service.name} was started (${line}) but does not answer at ${hostPort(address)} after ${Math.round(waitMs / 1000)} s (${again.reason}).`,
        );
        break;
      }
      await sleep(pollMs);
    }
  }
  return { ok: problems.length === 0, problems };
}

/** Connects to host:port and hangs up: { ok: true } or { ok: false, reason }. */
export function tcpProbe(host, port, timeoutMs = 1_500) {
  return new Promise((settle) => {
    const socket = net.connect({ host, port });
    const finish = (outcome) => {
      socket.destroy();
      settle(outcome);
    };
    socket.setTimeout(timeoutMs, () => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }));
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (error) => {
      const reasons = {
        ECONNREFUSED: 'connection refused',
        ENOTFOUND: 'unknown host',
        EAI_AGAIN: 'unknown host',
      };
      finish({ ok: false, reason: reasons[error.code] ?? error.code ?? error.message });
    });
  });
}

/**
 * Ansible roles run `ansible-playbook` (ANSIBLE_PLAYBOOK_BIN; Debian's ansible-core). It is optional: without it
 * everything starts and only role runs fail. Missing on a Debian machine run as root, it is installed (as
 * `.ci/run` installs the tests' packages); otherwise the command that installs it is said, and the start goes on.
 * Returns the lines to print.
 */
export function ensureAnsible({ env = process.env, dotEnv = {}, system = localSystem() } = {}) {
  const program = readSetting('ANSIBLE_PLAYBOOK_BIN', env, dotEnv).value || 'ansible-playbook';
  const present = () => (program.includes('/') ? existsSync(program) : system.has(program));
  if (present()) return [];
  if (program !== 'ansible-playbook')
    return [`ANSIBLE_PLAYBOOK_BIN=${program} does not exist: Ansible roles cannot run until it does.`];
  const install = ['apt-get', ['install', '-y', '-q', 'ansible-core']];
  if (system.isRoot && system.has('apt-get')) {
    const lines = ["ansible-playbook is missing: installing Debian's ansible-core for the Ansible roles."];
    const result = system.run(...install);
    if (result.status === 0 && present()) return lines;
    return [
      ...lines,
      `Installing ansible-core failed: Ansible roles cannot run until \`${shellLine(...install)}\` succeeds.`,
    ];
  }
  return [
    `ansible-playbook is missing: Ansible roles cannot run until it is installed (\`${system.isRoot ? '' : 'sudo '}${shellLine(...install)}\`).`,
  ];
}

/** Whether an executable of that name is on the PATH. */
export function onPath(program, path = process.env.PATH ?? '') {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((directory) => {
      try {
        accessSync(join(directory, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The Debian PostgreSQL clusters named `main` under /etc/postgresql, with the port each listens on. */
export function postgresClusters(etc = '/etc/postgresql') {
  if (!existsSync(etc)) return [];
  return readdirSync(etc)
    .sort((a, b) => Number(a) - Number(b))
    .flatMap((version) => {
      const conf = join(etc, version, 'main', 'postgresql.conf');
      if (!existsSync(conf)) return [];
      const match = /^\s*port\s*=\s*(\d+)/m.exec(readFileSync(conf, 'utf8'));
      return [{ version, port: match ? Number(match[1]) : 5432 }];
    });
}

/** This machine. Commands write to the terminal, so a daemon keeps no pipe of ours open. */
export function localSystem() {
  return {
    isRoot: process.getuid?.() === 0,
    has: (program) => onPath(program),
    postgresClusters: () => postgresClusters(),
    run: (command, args) =>
      spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 }),
  };
}
