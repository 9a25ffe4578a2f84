/**
 * The health of a server from what was observed of it (docs/api.md §10): a pure classification, so that the
 * rules are tested without Proxmox. Every state other than `healthy` comes with at least one issue saying why.
 */

export const HEALTH_STATUSES = ['healthy', 'warning', 'critical', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** Proxmox's view of the VM: `running`/`stopped`, `missing` (no such VM), `no_vm` (none made yet), `unreachable`. */
export type PveCheck = 'running' | 'stopped' | 'paused' | 'missing' | 'no_vm' | 'unreachable' | 'unknown';
/** `ok`, `failed`, or `skipped` (the VM is not running, or the server has no address). */
export type TcpCheck = 'ok' | 'failed' | 'skipped';
/** `ok`, `down` (enabled but not answering), `disabled` (not in the VM's config), `skipped`, `not_checked`. */
export type AgentCheck = 'ok' | 'down' | 'disabled' | 'skipped' | 'not_checked';

export interface HealthIssue {
  type: string;
  level: Exclude<HealthStatus, 'healthy'>;
  message: string;
  value: number | string | null;
  threshold: number | null;
}

export interface HealthMetrics {
  cpu_percent: number | null;
  mem_percent: number | null;
  disk_percent: number | null;
  netin_bps: number | null;
  netout_bps: number | null;
}

export interface HealthThresholds {
  cpu: { warning: number; critical: number };
  mem: { warning: number; critical: number };
  disk: { warning: number; critical: number };
}

export interface HealthObservation {
  pve: PveCheck;
  /** Proxmox's own words when it could not be read. */
  pveError?: string;
  tcp: TcpCheck;
  tcpError?: string;
  /** Where the TCP check connected (`ip:port`). */
  tcpTarget?: string;
  agent: AgentCheck;
  agentError?: string;
  /** The filesystem the disk figure is of, when the guest agent gave it (`/`, `C:\\`). */
  diskMount?: string;
  metrics: HealthMetrics;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, unknown: 1, warning: 2, critical: 3 };

/** The worst of the issues' levels; `healthy` without issues. */
export function worst(issues: readonly HealthIssue[]): HealthStatus {
  return issues.reduce<HealthStatus>(
    (status, issue) => (RANK[issue.level] > RANK[status] ? issue.level : status),
    'healthy',
  );
}

const round = (value: number): number => Math.round(value * 10) / 10;

function thresholdIssue(
  type: string,
  label: string,
  value: number | null,
  limits: { warning: number; critical: number },
): HealthIssue | undefined {
  if (value === null) return undefined;
  const level = value >= limits.critical ? 'critical' : value >= limits.warning ? 'warning' : undefined;
  if (level === undefined) return undefined;
  const threshold = level === 'critical' ? limits.critical : limits.warning;
  return {
    type,
    level,
    message: `${label} use is ${String(round(value))} %, at or above the ${level} threshold of ${String(threshold)} %`,
    value: round(value),
    threshold,
  };
}

/** Classifies an observation: its status and the issues that explain it. */
export function classify(
  observation: HealthObservation,
  thresholds: HealthThresholds,
): { status: HealthStatus; issues: HealthIssue[] } {
  const issues: HealthIssue[] = [];
  const issue = (type: string, level: HealthIssue['level'], message: string, value: string | null = null) =>
    issues.push({ type, level, message, value, threshold: null });
  switch (observation.pve) {
    case 'no_vm':
      issue('no_vm', 'unknown', 'The server has no VM in Proxmox yet');
      break;
    case 'missing':
      issue('vm_missing', 'unknown', 'The server’s VM no longer exists in Proxmox', 'missing');
      break;
    case 'unreachable':
      issue(
        'pve_unreachable',
        'unknown',
        `Proxmox could not be asked about the VM${observation.pveError ? `: ${observation.pveError}` : ''}`,
      );
      break;
    case 'unknown':
      issue('pve_status_unknown', 'unknown', 'Proxmox does not know the VM’s state yet', 'unknown');
      break;
    case 'stopped':
      issue('server_down', 'critical', 'The VM is stopped', 'stopped');
      break;
    case 'paused':
      issue('server_paused', 'critical', 'The VM is paused', 'paused');
      break;
    case 'running':
      break;
  }
  if (observation.pve === 'running') {
    if (observation.tcp === 'failed')
      issue(
        'tcp_unreachable',
        'warning',
        `No TCP connection to ${observation.tcpTarget ?? 'the server'}${observation.tcpError ? `: ${observation.tcpError}` : ''}`,
      );
    if (observation.agent === 'down')
      issue(
        'agent_down',
        'warning',
        `The guest agent does not answer${observation.agentError ? `: ${observation.agentError}` : ''}`,
      );
    const { metrics } = observation;
    for (const found of [
      thresholdIssue('cpu_high', 'CPU', metrics.cpu_percent, thresholds.cpu),
      thresholdIssue('memory_high', 'Memory', metrics.mem_percent, thresholds.mem),
      thresholdIssue(
        'disk_high',
        observation.diskMount === undefined ? 'Disk' : `Disk (${observation.diskMount})`,
        metrics.disk_percent,
        thresholds.disk,
      ),
    ])
      if (found) issues.push(found);
  }
  return { status: worst(issues), issues };
}

/** `part / whole` in percent, rounded to 0.1; null when the whole is unknown or zero. */
export function percentOf(part: number | undefined, whole: number | undefined): number | null {
  if (part === undefined || whole === undefined || !Number.isFinite(part) || !(whole > 0)) return null;
  return round((part / whole) * 100);
}
