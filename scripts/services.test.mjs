// node --test scripts/services.test.mjs — the service check of `npm start`, on a simulated machine: no real
// service is probed or started (except tcpProbe against a throwaway local listener), and no real time passes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  addressOf,
  ensureAnsible,
  ensureServices,
  parseDotEnv,
  postgresClusters,
  readSetting,
  tcpProbe,
} from './services.mjs';

/**
 * A machine with `listening` ports answering, `installed` programs, Debian cluster 15/main on 5432, and a clock
 * that advances only when the check sleeps. Running a start command makes its port answer unless `broken`.
 */
function machine({ listening = [], installed = [], isRoot = true, broken = false } = {}) {
  const up = new Set(listening);
  const calls = [];
  const probes = [];
  const logs = [];
  let clock = 0;
  let sleeps = 0;
  const options = {
    env: {},
    dotEnv: {},
    probe: async (host, port) => {
      probes.push(`${host}:${port}`);
      return up.has(port) ? { ok: true } : { ok: false, reason: 'connection refused' };
    },
    system: {
      isRoot,
      has: (program) => installed.includes(program),
      postgresClusters: () => [{ version: '15', port: 5432 }],
      run: async (command, args) => {
        calls.push([command, ...args].join(' '));
        if (broken) return { status: 0 };
        if (command === 'pg_ctlcluster') up.add(5432);
        if (command === 'redis-server') up.add(Number(args[args.indexOf('--port') + 1]));
        return { status: 0 };
      },
    },
    now: () => clock,
    sleep: async (ms) => {
      sleeps += 1;
      clock += ms;
    },
    log: (line) => logs.push(line),
  };
  return {
    options,
    calls,
    probes,
    logs,
    up,
    get sleeps() {
      return sleeps;
    },
  };
}

describe('ensureServices', () => {
  test('both reachable: nothing is started', async () => {
    const m = machine({ listening: [5432, 6379], installed: ['pg_ctlcluster', 'redis-server'] });
    const result = await ensureServices(m.options);
    assert.deepEqual(result, { ok: true, problems: [] });
    assert.deepEqual(m.calls, []);
    assert.deepEqual(m.probes.sort(), ['127.0.0.1:5432', '127.0.0.1:6379']);
  });

  test('local Redis stopped and installed: started as .ci/run does, then waited for', async () => {
    const m = machine({ listening: [5432], installed: ['pg_ctlcluster', 'redis-server'] });
    const result = await ensureServices(m.options);
    assert.deepEqual(result, { ok: true, problems: [] });
    assert.deepEqual(m.calls, [
      'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save  --appendonly no',
    ]);
    assert.ok(m.up.has(6379));
    assert.match(m.logs.join('\n'), /starting it: redis-server .* --save "" --appendonly no/);
    assert.match(m.logs.join('\n'), /Redis is up at 127\.0\.0\.1:6379/);
  });

  test('local PostgreSQL stopped and installed, as root: pg_ctlcluster of the cluster on that port', async () => {
    const m = machine({ listening: [6379], installed: ['pg_ctlcluster', 'redis-server'] });
    const result = await ensureServices(m.options);
    assert.equal(result.ok, true);
    assert.deepEqual(m.calls, ['pg_ctlcluster --skip-systemctl-redirect 15 main start']);
  });

  test('the service answers only after a few polls: waits, without real time passing', async () => {
    const m = machine({ listening: [5432], installed: ['redis-server'], broken: true });
    let polls = 0;
    const probe = m.options.probe;
    m.options.probe = async (host, port) => {
      if (port === 6379 && m.calls.length > 0 && ++polls === 4) m.up.add(6379);
      return probe(host, port);
    };
    const result = await ensureServices(m.options);
    assert.equal(result.ok, true);
    assert.equal(m.sleeps, 3);
  });

  test('started but never answering: fails at the deadline', async () => {
    const m = machine({ listening: [5432], installed: ['redis-server'], broken: true });
    const result = await ensureServices({ ...m.options, waitMs: 30_000, pollMs: 250 });
    assert.equal(result.ok, false);
    assert.match(
      result.problems[0],
      /Redis was started .* but does not answer at 127\.0\.0\.1:6379 after 30 s/,
    );
    assert.equal(m.sleeps, 120);
  });

  test('program missing: the install commands, and failure', async () => {
    const m = machine({ listening: [], installed: [], isRoot: false });
    const result = await ensureServices(m.options);
    assert.equal(result.ok, false);
    assert.deepEqual(m.calls, []);
    assert.equal(result.problems.length, 2);
    const [postgres, redis] = result.problems;
    assert.match(postgres, /^PostgreSQL does not answer at 127\.0\.0\.1:5432 .*DATABASE_URL=/);
    assert.match(postgres, /not installed here/);
    assert.ok(postgres.includes('    sudo apt-get install -y postgresql\n'));
    assert.ok(
      postgres.includes(`\n    sudo -u postgres psql -c "ALTER USER postgres PASSWORD 'postgres'"\n`),
    );
    assert.ok(
      postgres.includes(
        "\n    echo 'DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/proxdeck' >> .env\n",
      ),
    );
    assert.ok(postgres.includes('docker run -d --name proxdeck-postgres -p 127.0.0.1:5432:5432'));
    assert.ok(redis.includes('    sudo apt-get install -y redis-server\n'));
    assert.ok(redis.includes('docker run -d --name proxdeck-redis -p 127.0.0.1:6379:6379 redis:7-bookworm'));
  });

  test('as root the install commands have no sudo', async () => {
    const m = machine({ installed: [], isRoot: true });
    const result = await ensureServices(m.options);
    assert.ok(result.problems[0].includes('\n    apt-get install -y postgresql\n'));
    assert.ok(result.problems[0].includes(`\n    runuser -u postgres -- psql -c "ALTER USER`));
    assert.ok(result.problems[1].includes('\n    apt-get install -y redis-server\n'));
  });

  test('no password step when DATABASE_URL already has a password', async () => {
    const m = machine({ listening: [6379], installed: [] });
    m.options.env = { DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:5432/proxdeck' };
    const result = await ensureServices(m.options);
    assert.doesNotMatch(result.problems[0], /ALTER USER/);
    assert.match(
      result.problems[0],
      /DATABASE_URL=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/proxdeck, from the environment/,
    );
  });

  test('PostgreSQL installed but not root: the exact sudo command, nothing run', async () => {
    const m = machine({ listening: [6379], installed: ['pg_ctlcluster'], isRoot: false });
    const result = await ensureServices(m.options);
    assert.equal(result.ok, false);
    assert.deepEqual(m.calls, []);
    assert.match(result.problems[0], /needs root\. Run:\n {4}sudo pg_ctlcluster 15 main start\n/);
  });

  test('remote address not answering: names the setting, starts nothing', async () => {
    const m = machine({ listening: [5432], installed: ['redis-server'] });
    m.options.dotEnv = { REDIS_URL: 'redis://:secret@cache.example:6380/1' };
    const result = await ensureServices(m.options);
    assert.equal(result.ok, false);
    assert.deepEqual(m.calls, []);
    assert.match(result.problems[0], /^Redis does not answer at cache\.example:6380 \(connection refused;/);
    assert.match(result.problems[0], /REDIS_URL=redis:\/\/:\*\*\*@cache\.example:6380\/1, from \.env/);
    assert.match(result.problems[0], /set REDIS_URL in \.env or the environment/);
    assert.doesNotMatch(result.problems[0], /secret/);
  });

  test('probes the addresses the API will use: the environment over .env over the defaults', async () => {
    const m = machine({ listening: [5433, 6390] });
    m.options.env = { DATABASE_URL: 'postgres://app:pw@localhost:5433/app' };
    m.options.dotEnv = { DATABASE_URL: 'postgres://ignored@127.0.0.1:1/x', REDIS_URL: 'redis://[::1]:6390' };
    const result = await ensureServices(m.options);
    assert.equal(result.ok, true);
    assert.deepEqual(m.probes.sort(), ['::1:6390', 'localhost:5433']);
  });

  test('a URL the API will reject is left for the API to report', async () => {
    const m = machine({ listening: [5432] });
    m.options.env = { REDIS_URL: '' };
    const result = await ensureServices(m.options);
    assert.equal(result.ok, true);
    assert.deepEqual(m.probes, ['127.0.0.1:5432']);
  });
});

describe('settings', () => {
  test('.env lines are read as the API reads them', () => {
    const dotEnv = parseDotEnv(
      '# comment\nREDIS_URL="redis://r:6379/2"\n  DATABASE_URL = postgres://h/db  \nlower=x\n',
    );
    assert.deepEqual(dotEnv, { REDIS_URL: 'redis://r:6379/2', DATABASE_URL: 'postgres://h/db' });
  });

  test('readSetting says where the value comes from', () => {
    assert.deepEqual(readSetting('REDIS_URL', {}, {}), {
      value: 'redis://127.0.0.1:6379/0',
      source: 'the default',
    });
    assert.equal(readSetting('REDIS_URL', {}, { REDIS_URL: 'redis://a' }).source, '.env');
    assert.equal(
      readSetting('REDIS_URL', { REDIS_URL: 'redis://b' }, { REDIS_URL: 'redis://a' }).value,
      'redis://b',
    );
  });

  test('addressOf: default ports, IPv6, sockets', () => {
    assert.deepEqual(addressOf('postgres://u@db.example/x', 5432), {
      host: 'db.example',
      port: 5432,
      local: false,
    });
    assert.deepEqual(addressOf('redis://[::1]:6380', 6379), { host: '::1', port: 6380, local: true });
    assert.deepEqual(addressOf('redis://LOCALHOST', 6379), { host: 'localhost', port: 6379, local: true });
    assert.equal(addressOf('postgres://u@/x?host=/var/run/postgresql', 5432), undefined);
    assert.equal(addressOf('not a url', 5432), undefined);
  });

  test('postgresClusters reads the port of each main cluster', () => {
    const etc = mkdtempSync(join(tmpdir(), 'proxdeck-etc-'));
    try {
      mkdirSync(join(etc, '15', 'main'), { recursive: true });
      writeFileSync(join(etc, '15', 'main', 'postgresql.conf'), '#port = 1\nport = 5433\t\t# comment\n');
      mkdirSync(join(etc, '16', 'main'), { recursive: true });
      writeFileSync(join(etc, '16', 'main', 'postgresql.conf'), 'listen_addresses = localhost\n');
      assert.deepEqual(postgresClusters(etc), [
        { version: '15', port: 5433 },
        { version: '16', port: 5432 },
      ]);
      assert.deepEqual(postgresClusters(join(etc, 'absent')), []);
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });
});

test('tcpProbe: a listening port answers, a closed one is refused', async () => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  assert.deepEqual(await tcpProbe('127.0.0.1', port), { ok: true });
  await new Promise((done) => server.close(done));
  assert.deepEqual(await tcpProbe('127.0.0.1', port), { ok: false, reason: 'connection refused' });
});

describe('ensureAnsible', () => {
  /** A machine where `apt-get install` puts ansible-playbook on the PATH, unless `failing`. */
  function ansibleMachine({ installed = [], isRoot = true, failing = false } = {}) {
    const programs = new Set(installed);
    const calls = [];
    return {
      calls,
      system: {
        isRoot,
        has: (program) => programs.has(program),
        run: (command, args) => {
          calls.push([command, ...args].join(' '));
          if (!failing) programs.add('ansible-playbook');
          return { status: failing ? 100 : 0 };
        },
      },
    };
  }

  test('present: nothing said, nothing run', () => {
    const { system, calls } = ansibleMachine({ installed: ['ansible-playbook', 'apt-get'] });
    assert.deepEqual(ensureAnsible({ env: {}, system }), []);
    assert.deepEqual(calls, []);
  });

  test('missing on Debian as root: ansible-core is installed', () => {
    const { system, calls } = ansibleMachine({ installed: ['apt-get'] });
    const lines = ensureAnsible({ env: {}, system });
    assert.deepEqual(calls, ['apt-get install -y -q ansible-core']);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /installing Debian's ansible-core/);
  });

  test('an install that fails is said, and the start goes on', () => {
    const { system } = ansibleMachine({ installed: ['apt-get'], failing: true });
    assert.match(ensureAnsible({ env: {}, system }).at(-1), /Installing ansible-core failed/);
  });

  test('not root: the sudo command, nothing run', () => {
    const { system, calls } = ansibleMachine({ installed: ['apt-get'], isRoot: false });
    assert.deepEqual(ensureAnsible({ env: {}, system }), [
      'ansible-playbook is missing: Ansible roles cannot run until it is installed (`sudo apt-get install -y -q ansible-core`).',
    ]);
    assert.deepEqual(calls, []);
  });

  test('ANSIBLE_PLAYBOOK_BIN from .env names another program: only said when it does not exist', () => {
    const { system, calls } = ansibleMachine({ installed: ['apt-get'] });
    const dotEnv = { ANSIBLE_PLAYBOOK_BIN: '/nonexistent/ansible-playbook' };
    assert.match(ensureAnsible({ env: {}, dotEnv, system })[0], /does not exist/);
    assert.deepEqual(calls, []);
  });
});
