import { PVE_RELEASES } from '@proxdeck/pve-client';
import { z } from 'zod';
import { parseSchedule, type Schedule } from './schedule';

/**
 * Every setting Proxdeck reads, validated once at boot. Nothing else reads process.env.
 * Each variable here is listed in .env.example and in the README's configuration table.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();

/** A threshold in percent, 1 to 100. */
const percent = z.coerce.number().min(1).max(100);

/** An interval (`30s`, `5m`) or a cron expression, for a recurring job. */
/** `os=vmid,os=vmid`: the template to clone for each `os_type`. */
const osTemplates = z.string().transform((text, ctx): Record<string, number> => {
  const map: Record<string, number> = {};
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z][a-z0-9_-]{0,31})=(\d{3,9})$/.exec(entry);
    if (!match?.[1] || !match[2]) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${entry}" is not os=vmid` });
      return z.NEVER;
    }
    map[match[1]] = Number(match[2]);
  }
  return map;
});

/** `min-max`: the VMIDs Proxdeck gives its servers. */
const vmidRange = z.string().transform((text, ctx): { min: number; max: number } => {
  const match = /^(\d{3,9})-(\d{3,9})$/.exec(text.trim());
  const min = Number(match?.[1]);
  const max = Number(match?.[2]);
  if (!match || min < 100 || max < min) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'min-max, with 100 <= min <= max <= 999999999' });
    return z.NEVER;
  }
  return { min, max };
});

/** Comma-separated absolute file paths (no `..`, no spaces). */
const pathList = z.string().transform((text, ctx): string[] => {
  const paths = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const bad = paths.find((path) => !/^\/[A-Za-z0-9._/-]+$/.test(path) || path.split('/').includes('..'));
  if (bad !== undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${bad}" is not an absolute file path` });
    return z.NEVER;
  }
  return paths;
});

const schedule = z.string().transform((text, ctx): Schedule => {
  const parsed = parseSchedule(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: booleanFlag.default('false'),
    WEB_DIST_DIR: optionalText,

    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/proxdeck'),
    DATABASE_MIGRATE_ON_START: booleanFlag.default('true'),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/i, 'letters, digits, "_" and "-" only')
      .default('proxdeck'),

    RUN_WORKERS: booleanFlag.default('true'),
    WORKER_CONCURRENCY: positiveInt.max(64).default(4),
    QUEUE_LOCK_DURATION_MS: positiveInt.min(500).default(30_000),
    QUEUE_STALLED_INTERVAL_MS: positiveInt.min(200).default(15_000),
    TASK_POLL_INTERVAL_MS: positiveInt.default(2_000),
    TASK_TIMEOUT_S: positiveInt.default(1_800),
    TASK_CONCURRENCY_PER_NODE: positiveInt.default(4),
    TASK_CONCURRENCY_PER_STORAGE: positiveInt.default(2),
    TASK_RETENTION_DAYS: positiveInt.default(30),
    SCHEDULE_TASKS_RECONCILE: schedule.default('30s'),
    SCHEDULE_TASKS_PRUNE: schedule.default('1h'),

    EVENTS_RETENTION_S: positiveInt.min(60).default(3_600),
    SSE_HEARTBEAT_S: positiveInt.max(300).default(15),
    SSE_MAX_BUFFER_BYTES: positiveInt.min(1024).default(1_048_576),
    NOTIFICATION_RETENTION_DAYS: positiveInt.default(90),
    SCHEDULE_NOTIFICATIONS_PRUNE: schedule.default('1h'),
    AUDIT_RETENTION_DAYS: positiveInt.min(30).default(365),
    SCHEDULE_AUDIT_PRUNE: schedule.default('1h'),
    SCHEDULE_SERVERS_SYNC: schedule.default('10s'),
    NOTIFY_TASKS_LONGER_THAN_S: z.coerce.number().int().min(0).default(60),

    OS_TEMPLATES: osTemplates.default('rocky=8000,centos=8001,ubuntu=9000,debian=9001'),
    DEFAULT_OS_TYPE: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/)
      .default('rocky'),
    DEFAULT_BRIDGE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/, 'a bridge name such as vmbr0')
      .default('vmbr0'),
    VMID_RANGE: vmidRange.default('10000-19999'),
    VM_USERNAME: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Linux user name')
      .default('cloud'),
    VM_SSH_KEYS: optionalText,
    SERVER_CREATE_CONCURRENCY: positiveInt.max(100).default(8),
    FIREWALL_DRIFT_CHECK_S: z.coerce.number().int().min(0).default(60),
    SERVER_READY_TIMEOUT_S: positiveInt.default(600),
    CLEANUP_CREATING_AFTER_MIN: positiveInt.default(60),
    SERVER_ACTION_CONCURRENCY: positiveInt.max(100).default(16),
    GUEST_LOG_PATHS: pathList.default(
      '/var/log/syslog,/var/log/messages,/var/log/cloud-init.log,/var/log/cloud-init-output.log',
    ),

    ANSIBLE_DIR: z.string().min(1).default('ansible'),
    ANSIBLE_EXTRA_ROLES_DIR: optionalText,
    ANSIBLE_PLAYBOOK_BIN: z.string().min(1).default('ansible-playbook'),
    ANSIBLE_SSH_USER: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Linux user name')
      .default('cloud'),
    ANSIBLE_SSH_KEY_FILE: optionalText,
    ANSIBLE_SSH_PORT: z.coerce.number().int().min(1).max(65535).default(22),
    ANSIBLE_HOST_KEY_CHECKING: z.enum(['strict', 'accept-new', 'off']).default('accept-new'),
    ANSIBLE_BECOME: booleanFlag.default('true'),
    ANSIBLE_RUN_TIMEOUT_S: positiveInt.max(86_400).default(1_800),
    ROLE_RUN_CONCURRENCY: positiveInt.max(100).default(5),

    HEALTH_TCP_PORT: z.coerce.number().int().min(1).max(65535).default(22),
    HEALTH_TCP_TIMEOUT_MS: positiveInt.max(60_000).default(2_000),
    HEALTH_TCP_CONCURRENCY: positiveInt.max(256).default(32),
    HEALTH_CPU_WARNING_PERCENT: percent.default(80),
    HEALTH_CPU_CRITICAL_PERCENT: percent.default(95),
    HEALTH_MEM_WARNING_PERCENT: percent.default(85),
    HEALTH_MEM_CRITICAL_PERCENT: percent.default(95),
    HEALTH_DISK_WARNING_PERCENT: percent.default(85),
    HEALTH_DISK_CRITICAL_PERCENT: percent.default(95),
    SCHEDULE_ALERTS_CHECK: schedule.default('30s'),
    ALERT_FOR_S: z.coerce.number().int().min(0).max(86_400).default(300),
    NODE_EXPORTER_PORT: z.coerce.number().int().min(1).max(65535).default(9100),

    SESSION_IDLE_TIMEOUT_S: positiveInt.default(3_600),
    SESSION_MAX_AGE_S: positiveInt.default(43_200),
    SESSION_COOKIE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'a cookie name')
      .default('proxdeck_session'),
    SESSION_MAX_PER_USER: positiveInt.max(1000).default(10),
    LOGIN_MAX_FAILURES: positiveInt.default(5),
    LOGIN_MAX_FAILURES_PER_ADDRESS: positiveInt.default(30),
    LOGIN_FAILURE_WINDOW_S: positiveInt.default(900),
    LOGIN_CONCURRENT_HASHES: positiveInt.max(64).default(2),
    ADMIN_USERNAME: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'lower-case letters, digits, ".", "_" and "-", 2-63 characters')
      .default('admin'),
    ADMIN_PASSWORD: optionalText.refine((value) => value === undefined || value.length >= 10, {
      message: 'at least 10 characters',
    }),
    METRICS_TOKEN: optionalText,

    PVE_URL: optionalText.pipe(z.string().url().optional()),
    PVE_TOKEN_ID: optionalText.pipe(
      z
        .string()
        .regex(/^[^@!\s]+@[^@!\s]+![A-Za-z][A-Za-z0-9._-]*$/, 'user@realm!name')
        .optional(),
    ),
    PVE_TOKEN_SECRET: optionalText,
    PVE_USER: optionalText,
    PVE_PASSWORD: optionalText,
    PVE_TLS_VERIFY: booleanFlag.default('true'),
    PVE_CA_FILE: optionalText,
    PVE_TASK_POLL_MS: positiveInt.min(100).default(2_000),
    PVE_LOCK_RETRIES: z.coerce.number().int().min(0).max(20).default(5),
    PVE_LOCK_RETRY_DELAY_MS: positiveInt.default(2_000),

    PVE_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(8006),
    PVE_SIM_ROOT_PASSWORD: optionalText,
    PVE_SIM_TOKEN_ID: z.string().default('root@pam!proxdeck'),
    PVE_SIM_TOKEN_SECRET: optionalText,
    PVE_SIM_TIME_SCALE: z.coerce.number().positive().max(10).default(0.1),
    PVE_SIM_SEED: z.coerce.number().int().default(1),
    PVE_SIM_VERSION: z.enum(PVE_RELEASES).default('9.2'),
    PVE_SIM_STATE_FILE: optionalText,
    DATA_DIR: z.string().default('.data'),
  })
  .superRefine((config, ctx) => {
    if (!(config.DEFAULT_OS_TYPE in config.OS_TEMPLATES)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['DEFAULT_OS_TYPE'],
        message: `must be one of OS_TEMPLATES (${Object.keys(config.OS_TEMPLATES).join(', ')})`,
      });
    }
    if (config.PVE_URL !== undefined) {
      const hasToken = config.PVE_TOKEN_ID !== undefined && config.PVE_TOKEN_SECRET !== undefined;
      const hasUser = config.PVE_USER !== undefined && config.PVE_PASSWORD !== undefined;
      if (!hasToken && !hasUser) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['PVE_TOKEN_ID'],
          message: 'with PVE_URL set, give PVE_TOKEN_ID and PVE_TOKEN_SECRET, or PVE_USER and PVE_PASSWORD',
        });
      }
    }
    if (config.NODE_ENV === 'production' && config.METRICS_TOKEN === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['METRICS_TOKEN'],
        message: 'required when NODE_ENV=production: /metrics must not be public',
      });
    }
    for (const kind of ['CPU', 'MEM', 'DISK'] as const) {
      if (config[`HEALTH_${kind}_WARNING_PERCENT`] > config[`HEALTH_${kind}_CRITICAL_PERCENT`]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [`HEALTH_${kind}_WARNING_PERCENT`],
          message: `must not exceed HEALTH_${kind}_CRITICAL_PERCENT`,
        });
      }
    }
    if (config.SESSION_IDLE_TIMEOUT_S > config.SESSION_MAX_AGE_S) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SESSION_IDLE_TIMEOUT_S'],
        message: 'must not exceed SESSION_MAX_AGE_S',
      });
    }
  });

export type AppConfigValues = z.infer<typeof configSchema>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Parses the environment; throws one error listing every problem. */
export function parseConfig(env: Record<string, string | undefined>): AppConfigValues {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigValidationError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}
