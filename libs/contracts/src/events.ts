import type { TaskItemStatus, TaskStatus } from './tasks';

/** The Server-Sent Events Proxdeck emits (docs/api.md §9), keyed by event name. */
export interface TaskEvent {
  task_id: string;
  status: TaskStatus;
  progress: number;
  message: string | null;
  items?: {
    name: string;
    status: TaskItemStatus;
    step: string | null;
    progress: number;
    error: string | null;
  }[];
}

export interface NotificationEvent {
  id: number;
  type: string;
  severity: 'info' | 'success' | 'warning' | 'error';
  title: string;
  message: string;
  details: Record<string, unknown> | null;
  task_id: string | null;
  server: string | null;
  read: boolean;
  created_at: string;
}

/**
 * A user changed their own view of notifications (read, hidden, cleared): sent to that user only, so that their
 * other tabs show the same. `ids` are the notifications changed (for `cleared`, every one they saw).
 */
export interface NotificationStateEvent {
  change: 'read' | 'hidden' | 'cleared';
  ids: number[];
}

/** An alert as the API shows it (docs/api.md §10). */
export interface AlertView {
  id: number;
  key: string;
  type: string;
  level: 'warning' | 'critical';
  server: string | null;
  message: string;
  value: number | string | null;
  threshold: number | null;
  status: 'active' | 'acknowledged' | 'resolved';
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
}

/**
 * An alert changed (broadcast to everyone with view_all): raised or resolved by the checker, acknowledged or
 * cleared by an operator. `alert` is the alert after the change (null for `cleared`); `ids` the alerts changed.
 */
export interface AlertEvent {
  change: 'raised' | 'resolved' | 'acknowledged' | 'cleared';
  alert: AlertView | null;
  ids: number[];
}

/**
 * Settings changed through the API (broadcast to everyone with view_all): `scope` names which (`monitoring`),
 * `keys` the settings changed (never their values). Open pages read them again.
 */
export interface SettingsEvent {
  scope: 'monitoring';
  keys: string[];
}

/**
 * The firewall changed through Proxdeck (broadcast to everyone with view_all): `scope` says what (security
 * groups and their rules, IP sets, aliases, which servers have which group, the drift found by the check),
 * `name` the group, set, alias or server when there is one. Open firewall views read it again.
 */
export interface FirewallEvent {
  scope: 'groups' | 'ipsets' | 'aliases' | 'servers' | 'drift';
  name: string | null;
}

export interface ServerEvent {
  name: string;
  status: string;
  live?: Record<string, unknown>;
}

/**
 * Sent instead of a replay when the client's Last-Event-ID is older than the event log keeps: events were
 * missed, so the client reloads what it shows (refetches its queries) and goes on from here.
 */
export interface ReloadEvent {
  reason: string;
}

/**
 * Output of an Ansible role run (docs/api.md §6), as it comes: lines batched (secret values already masked),
 * `offset` the index of the first line in the run's log; `status` changes to `succeeded` or `failed` at the end.
 * Same audience as the run's task.
 */
export interface RoleRunEvent {
  run_id: number;
  task_id: string | null;
  server: string;
  role: string;
  action: 'apply' | 'remove' | 'dry_run';
  status: 'running' | 'succeeded' | 'failed';
  offset: number;
  lines: string[];
}

export interface SseEventMap {
  task: TaskEvent;
  notification: NotificationEvent;
  notification_state: NotificationStateEvent;
  server: ServerEvent;
  alert: AlertEvent;
  role_run: RoleRunEvent;
  settings: SettingsEvent;
  firewall: FirewallEvent;
  reload: ReloadEvent;
}

export type SseEventName = keyof SseEventMap;
