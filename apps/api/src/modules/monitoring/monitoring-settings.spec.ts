import { parseConfig } from '../../platform/config/config.schema';
import {
  applyChange,
  publicView,
  SETTING_FIELDS,
  settingsFromEnv,
  thresholdsOf,
} from './monitoring-settings';

const env = settingsFromEnv(
  parseConfig({
    HEALTH_CPU_WARNING_PERCENT: '70',
    PROMETHEUS_URL: 'http://prom:9090',
    GRAFANA_API_KEY: 'glsa_x',
  }),
);

describe('monitoring settings', () => {
  it('takes their initial values from the environment', () => {
    expect(env).toMatchObject({
      cpu_warning_percent: 70,
      cpu_critical_percent: 95,
      alert_for_s: 300,
      tcp_port: 22,
      node_exporter_port: 9100,
      prometheus_url: 'http://prom:9090',
      prometheus_password: null,
      grafana_dashboard_uid: 'proxdeck-node-exporter',
      grafana_org_id: 1,
      grafana_api_key: 'glsa_x',
    });
    expect(Object.keys(env).sort()).toEqual(SETTING_FIELDS.map((f) => f.key).sort());
    expect(thresholdsOf(env).cpu).toEqual({ warning: 70, critical: 95 });
  });

  it('shows secrets only as {set}', () => {
    const view = publicView({ ...env, prometheus_bearer_token: 'tok-123' });
    expect(view.grafana_api_key).toEqual({ set: true });
    expect(view.prometheus_password).toEqual({ set: false });
    expect(view.prometheus_bearer_token).toEqual({ set: true });
    expect(JSON.stringify(view)).not.toMatch(/glsa_x|tok-123/);
  });

  it('applies a partial change; null goes back to the environment, "" makes a nullable setting none', () => {
    const first = applyChange({}, env, {
      cpu_warning_percent: 60,
      prometheus_url: '',
      grafana_api_key: 'k2',
    });
    expect(first).toMatchObject({
      ok: true,
      stored: { cpu_warning_percent: 60, prometheus_url: null, grafana_api_key: 'k2' },
    });
    if (!first.ok) throw new Error('unreachable');
    expect(first.values).toMatchObject({
      cpu_warning_percent: 60,
      prometheus_url: null,
      mem_warning_percent: 85,
    });
    const back = applyChange(first.stored, env, { cpu_warning_percent: null, prometheus_url: null });
    if (!back.ok) throw new Error('refused');
    expect(back.stored).toEqual({ grafana_api_key: 'k2' });
    expect(back.values.prometheus_url).toBe('http://prom:9090');
    expect(back.values.cpu_warning_percent).toBe(70);
  });

  it('names the field of every problem', () => {
    const result = applyChange({}, env, {
      cpu_critical_percent: 101,
      alert_for_s: 1.5,
      tcp_port: '22',
      prometheus_url: 'ftp://x',
      grafana_url: 'https://user:pw@grafana.example.com',
      grafana_dashboard_uid: 'bad uid!',
      grafana_org_id: 0,
      disk_warning_percent: 96,
      nonsense: 1,
    });
    expect(result).toEqual({
      ok: false,
      fields: {
        cpu_critical_percent: 'must be at most 100',
        alert_for_s: 'must be a whole number',
        tcp_port: 'must be a number',
        prometheus_url: 'must be an http or https URL',
        grafana_url: 'must not hold credentials: give them in the username and password settings',
        grafana_dashboard_uid: 'letters, digits, "_" and "-", at most 40',
        grafana_org_id: 'must be at least 1',
        disk_warning_percent: 'must not exceed disk_critical_percent (95)',
        nonsense: 'unknown field',
      },
    });
    expect(applyChange({}, env, { grafana_dashboard_uid: '' })).toMatchObject({
      fields: { grafana_dashboard_uid: 'must not be empty' },
    });
  });

  it('refuses a critical threshold below its warning one, against the values in force', () => {
    expect(applyChange({ mem_warning_percent: 90 }, env, { mem_critical_percent: 89 })).toEqual({
      ok: false,
      fields: { mem_critical_percent: 'must not be below mem_warning_percent (90)' },
    });
    expect(applyChange({}, env, { mem_warning_percent: 50, mem_critical_percent: 60 }).ok).toBe(true);
  });
});
