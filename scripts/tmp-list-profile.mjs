import pg from 'pg';
const { startApiProcess } = await import('@proxdeck/testing');
const stack = await startApiProcess({ env: { LOG_LEVEL: 'error', PVE_SIM_PORT: '0', SCHEDULE_SERVERS_SYNC: '1h', RUN_WORKERS: 'false' } });
try {
  const login = await fetch(`${stack.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.adminUsername, password: stack.adminPassword }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  await db.query(`INSERT INTO servers (name, vmid, node, status, cpu_cores, memory_mb, disks, networks, ip_addresses, os_type, tags, live)
     SELECT 'load-' || lpad(n::text, 5, '0'), 100000 + n, 'pve1', 'running', 2, 2048, '[{"device":"scsi0","datastore":"local-lvm","size_gb":20}]',
     json_build_array(json_build_object('device','net0','bridge','vmbr1','ip_address','10.20.0.1','prefix',16,'gateway','10.20.0.1','mac',null))::jsonb,
     ARRAY['10.20.0.1'], 'rocky', ARRAY['proxdeck'], '{"cpu_usage":0.12,"mem_bytes":1,"maxmem_bytes":2,"disk_bytes":0,"uptime_s":3600,"netin_bytes":1,"netout_bytes":2,"lock":null}'
     FROM generate_series(1, 5000) AS n`);
  await db.end();
  for (const path of ['/api/current-user', '/api/servers?per_page=50&page=7', '/api/servers?per_page=1', '/api/servers/brief']) {
    const times = [];
    for (let i = 0; i < 30; i++) { const t0 = performance.now(); const r = await fetch(`${stack.baseUrl}${path}`, { headers: { cookie } }); await r.text(); times.push(performance.now() - t0); }
    times.sort((a, b) => a - b);
    console.log(path, 'median ms', times[15].toFixed(1));
  }
} finally { await stack.stop(); }
