import type { AppConfigValues } from '../../platform/config/config.schema';
import type { HealthThresholds } from './health';

/**
 * The monitoring settings (docs/api.md §10: `GET/POST /api/monitoring/config`): what they are, their limits and
 * descriptions, their initial values from the environment, and the validation of a change. Pure, so that the
 * rules are tested without a database.
 */
export interface MonitoringSettingsValues {
  cpu_warning_percent: number;
  cpu_critical_percent: number;
  mem_warning_percent: number;
  mem_critical_percent: number;
  disk_warning_percent: number;
  disk_critical_percent: number;
  alert_for_s: number;
  tcp_port: number;
  tcp_timeout_ms: number;
  node_exporter_port: number;
  prometheus_url: string | null;
  prometheus_username: string | null;
  prometheus_password: string | null;
  prometheus_bearer_token: string | null;
  prometheus_timeout_ms: number;
  grafana_url: string | null;
  grafana_dashboard_uid: string;
  grafana_org_id: number;
  grafana_api_key: string | null;
}

export type SettingKey = keyof MonitoringSettingsValues;
export type SettingGroup = 'thresholds' | 'checks' | 'prometheus' | 'grafana';
/** `number` (with min, max and maybe integer), `url` (http or https, or none), `text`, `secret` (write-only). */
export type SettingType = 'number' | 'url' | 'text' | 'secret';

export interface SettingField {
  key: SettingKey;
  group: SettingGroup;
  type: SettingType;
  /** The environment variable that gives its initial value. */
  env: keyof AppConfigValues;
  description: string;
  min?: number;
  max?: number;
  integer?: boolean;
  /** Unit shown beside a number: `%`, `s`, `ms`. */
  unit?: string;
  /** For `text`: the pattern it must match, and what that means. */
  pattern?: { regex: RegExp; message: string };
  /** Whether it may be none (`""`): URLs, secrets and the Prometheus user may. */
  nullable: boolean;
}

const percent = (
  key: SettingKey,
  env: keyof AppConfigValues,
  group: SettingGroup,
  description: string,
): SettingField => ({
  key,
  env,
  group,
  type: 'number',
  min: 1,
  max: 100,
  unit: '%',
  description,
  nullable: false,
});

export const SETTING_FIELDS: readonly SettingField[] = [
  percent(
    'cpu_warning_percent',
    'HEALTH_CPU_WARNING_PERCENT',
    'thresholds',
    'CPU use at or above this is a warning',
  ),
  percent(
    'cpu_critical_percent',
    'HEALTH_CPU_CRITICAL_PERCENT',
    'thresholds',
    'CPU use at or above this is critical',
  ),
  percent(
    'mem_warning_percent',
    'HEALTH_MEM_WARNING_PERCENT',
    'thresholds',
    'Memory use (used / maximum) at or above this is a warning',
  ),
  percent(
    'mem_critical_percent',
    'HEALTH_MEM_CRITICAL_PERCENT',
    'thresholds',
    'Memory use at or above this is critical',
  ),
  percent(
    'disk_warning_percent',
    'HEALTH_DISK_WARNING_PERCENT',
    'thresholds',
    'Disk use at or above this is a warning (from the guest agent, or Proxmox when it reports it)',
  ),
  percent(
    'disk_critical_percent',
    'HEALTH_DISK_CRITICAL_PERCENT',
    'thresholds',
    'Disk use at or above this is critical',
  ),
  {
    key: 'alert_for_s',
    env: 'ALERT_FOR_S',
    group: 'thresholds',
    type: 'number',
    min: 0,
    max: 86_400,
    integer: true,
    unit: 's',
    nullable: false,
    description:
      'How long a CPU, memory or disk threshold must hold, seen in every checker cycle, before its alert is raised (0: at once)',
  },
  {
    key: 'tcp_port',
    env: 'HEALTH_TCP_PORT',
    group: 'checks',
    type: 'number',
    min: 1,
    max: 65_535,
    integer: true,
    nullable: false,
    description: 'The port the health check connects to on each server’s first address (its SSH port)',
  },
  {
    key: 'tcp_timeout_ms',
    env: 'HEALTH_TCP_TIMEOUT_MS',
    group: 'checks',
    type: 'number',
    min: 1,
    max: 60_000,
    integer: true,
    unit: 'ms',
    nullable: false,
    description: 'A TCP check that has not connected by then fails',
  },
  {
    key: 'node_exporter_port',
    env: 'NODE_EXPORTER_PORT',
    group: 'prometheus',
    type: 'number',
    min: 1,
    max: 65_535,
    integer: true,
    nullable: false,
    description:
      'The node_exporter port of each server, in Prometheus service discovery and the Grafana filter',
  },
  {
    key: 'prometheus_url',
    env: 'PROMETHEUS_URL',
    group: 'prometheus',
    type: 'url',
    nullable: true,
    description:
      'Prometheus’s address (http or https, e.g. http://prometheus:9090): node_exporter series on the server charts. Empty: none',
  },
  {
    key: 'prometheus_username',
    env: 'PROMETHEUS_USERNAME',
    group: 'prometheus',
    type: 'text',
    nullable: true,
    pattern: { regex: /^[^:\s]{1,128}$/, message: 'at most 128 characters, without spaces or ":"' },
    description: 'Basic authentication to Prometheus: the user (with the password below). Empty: none',
  },
  {
    key: 'prometheus_password',
    env: 'PROMETHEUS_PASSWORD',
    group: 'prometheus',
    type: 'secret',
    nullable: true,
    description: 'Basic authentication to Prometheus: the password (write-only)',
  },
  {
    key: 'prometheus_bearer_token',
    env: 'PROMETHEUS_BEARER_TOKEN',
    group: 'prometheus',
    type: 'secret',
    nullable: true,
    description: 'A bearer token sent to Prometheus instead of basic authentication (write-only)',
  },
  {
    key: 'prometheus_timeout_ms',
    env: 'PROMETHEUS_TIMEOUT_MS',
    group: 'prometheus',
    type: 'number',
    min: 100,
    max: 60_000,
    integer: true,
    unit: 'ms',
    nullable: false,
    description: 'A Prometheus query not answered by then fails (502)',
  },
  {
    key: 'grafana_url',
    env: 'GRAFANA_URL',
    group: 'grafana',
    type: 'url',
    nullable: true,
    description:
      'Grafana’s address as browsers reach it (e.g. https://grafana.example.com): the dashboard link and its embed. Empty: none',
  },
  {
    key: 'grafana_dashboard_uid',
    env: 'GRAFANA_DASHBOARD_UID',
    group: 'grafana',
    type: 'text',
    nullable: false,
    pattern: { regex: /^[A-Za-z0-9_-]{1,40}$/, message: 'letters, digits, "_" and "-", at most 40' },
    description:
      'The uid of the node_exporter dashboard (monitoring/grafana/dashboards/node-exporter.json has proxdeck-node-exporter)',
  },
  {
    key: 'grafana_org_id',
    env: 'GRAFANA_ORG_ID',
    group: 'grafana',
    type: 'number',
    min: 1,
    max: 2_147_483_647,
    integer: true,
    nullable: false,
    description: 'The Grafana organisation of the dashboard',
  },
  {
    key: 'grafana_api_key',
    env: 'GRAFANA_API_KEY',
    group: 'grafana',
    type: 'secret',
    nullable: true,
    description:
      'A Grafana service account token, kept for provisioning (write-only; never sent to browsers)',
  },
];

export const SETTING_KEYS: ReadonlySet<string> = new Set(SETTING_FIELDS.map((field) => field.key));
export const SECRET_KEYS: readonly SettingKey[] = SETTING_FIELDS.filter((f) => f.type === 'secret').map(
  (f) => f.key,
);

/** The settings as the environment gives them: the values of every setting nobody has changed. */
export function settingsFromEnv(config: Readonly<AppConfigValues>): MonitoringSettingsValues {
  const values: Record<string, unknown> = {};
  for (const field of SETTING_FIELDS) values[field.key] = config[field.env] ?? null;
  return values as unknown as MonitoringSettingsValues;
}

/**
 * Checks a change against the settings it applies to: each value's type and limits, URLs (http or https, no
 * credentials inside), and that no warning threshold exceeds its critical one. `null` takes the setting back
 * to its environment value; `""` makes a nullable one none. Returns the values after the change, or the
 * problems by field name.
 */
export function applyChange(
  stored: Partial<Record<SettingKey, number | string | null>>,
  env: MonitoringSettingsValues,
  change: Record<string, unknown>,
):
  | {
      ok: true;
      stored: Partial<Record<SettingKey, number | string | null>>;
      values: MonitoringSettingsValues;
    }
  | { ok: false; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const next: Partial<Record<SettingKey, number | string | null>> = { ...stored };
  for (const [key, value] of Object.entries(change)) {
    const field = SETTING_FIELDS.find((f) => f.key === key);
    if (!field) {
      fields[key] = 'unknown field';
      continue;
    }
    if (value === undefined) continue;
    if (value === null) {
      Reflect.deleteProperty(next, field.key);
      continue;
    }
    const problem = checkValue(field, value);
    if (problem !== undefined) fields[key] = problem;
    else
      next[field.key] = typeof value === 'string' && value.trim() === '' ? null : (value as number | string);
  }
  const values = { ...env, ...next } as MonitoringSettingsValues;
  for (const kind of ['cpu', 'mem', 'disk'] as const) {
    const warning = `${kind}_warning_percent` as const;
    const critical = `${kind}_critical_percent` as const;
    if (
      fields[warning] === undefined &&
      fields[critical] === undefined &&
      values[warning] > values[critical]
    ) {
      const blame = warning in change ? warning : critical;
      fields[blame] =
        blame === warning
          ? `must not exceed ${critical} (${String(values[critical])})`
          : `must not be below ${warning} (${String(values[warning])})`;
    }
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, stored: next, values };
}

function checkValue(field: SettingField, value: unknown): string | undefined {
  if (field.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (field.integer && !Number.isInteger(value)) return 'must be a whole number';
    if (field.min !== undefined && value < field.min) return `must be at least ${String(field.min)}`;
    if (field.max !== undefined && value > field.max) return `must be at most ${String(field.max)}`;
    return undefined;
  }
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim() === '') return field.nullable ? undefined : 'must not be empty';
  if (value.length > 2048) return 'must be at most 2048 characters';
  if (field.type === 'url') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'must be an http or https URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
    if (url.username !== '' || url.password !== '')
      return 'must not hold credentials: give them in the username and password settings';
    if (url.search !== '' || url.hash !== '') return 'must not have a query or a fragment';
    return undefined;
  }
  if (field.type === 'text' && field.pattern && !field.pattern.regex.test(value))
    return field.pattern.message;
  if (field.type === 'secret' && value.length > 1024) return 'must be at most 1024 characters';
  return undefined;
}

/** The thresholds health.ts and the alert checker classify with. */
export function thresholdsOf(values: MonitoringSettingsValues): HealthThresholds {
  return {
    cpu: { warning: values.cpu_warning_percent, critical: values.cpu_critical_percent },
    mem: { warning: values.mem_warning_percent, critical: values.mem_critical_percent },
    disk: { warning: values.disk_warning_percent, critical: values.disk_critical_percent },
  };
}

/** The settings as they are shown: each secret as `{set}`, never its value. */
export function publicView(
  values: MonitoringSettingsValues,
): Record<string, number | string | null | { set: boolean }> {
  const view: Record<string, number | string | null | { set: boolean }> = {};
  for (const field of SETTING_FIELDS) {
    const value = values[field.key];
    view[field.key] = field.type === 'secret' ? { set: value !== null && value !== '' } : value;
  }
  return view;
}

/** A URL without its trailing slashes, so that paths join cleanly. */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
