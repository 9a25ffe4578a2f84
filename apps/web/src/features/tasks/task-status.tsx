/**
 * How a task is shown wherever it appears (the tasks page, its detail, the dashboard): its type in words,
 * its status as a coloured badge, its progress as a bar with the percentage, who started it, how long it ran.
 */
import { Badge, Group, Progress, Text } from '@mantine/core';
import type { TaskItemStatus, TaskStatus } from '@proxdeck/contracts';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TaskType } from './tasks.queries';

const STATUS_COLOR: Record<TaskStatus | TaskItemStatus, string> = {
  queued: 'gray',
  running: 'blue',
  completed: 'teal',
  failed: 'red',
  partial: 'orange',
  cancelled: 'dark',
  skipped: 'gray',
};

const TYPE_TEXT = {
  'test.simple': 'tasks.types.testSimple',
  'test.error': 'tasks.types.testError',
  'servers.create': 'tasks.types.serversCreate',
  'servers.sync': 'tasks.types.serversSync',
  'servers.cleanup': 'tasks.types.serversCleanup',
  'servers.action': 'tasks.types.serversAction',
  'servers.disk': 'tasks.types.serversDisk',
  'firewall.assign': 'tasks.types.firewallAssign',
  'firewall.rename': 'tasks.types.firewallRename',
  'backups.run': 'tasks.types.backupsRun',
  'backups.restore': 'tasks.types.backupsRestore',
  'backups.job-run': 'tasks.types.backupsJobRun',
  'roles.run': 'tasks.types.rolesRun',
} as const satisfies Record<TaskType, `tasks.types.${string}`>;

/** A task type in the interface's language. */
export function taskTypeLabel(type: TaskType, t: TFunction): string {
  return t(TYPE_TEXT[type]);
}

/** The status of a task or of one of its items, as a badge. */
export function TaskStatusBadge({ status }: { status: TaskStatus | TaskItemStatus }) {
  const { t } = useTranslation();
  return (
    <Badge
      color={STATUS_COLOR[status]}
      variant="light"
      data-status={status}
      // Never cut to "COMPLE…" when a table column is narrow.
      styles={{ root: { flexShrink: 0 }, label: { overflow: 'visible' } }}
    >
      {t(`tasks.status.${status}`)}
    </Badge>
  );
}

/** A progress bar with the percentage beside it; `label` names what progresses (for screen readers). */
export function TaskProgress({
  progress,
  status,
  label,
}: {
  progress: number;
  status: TaskStatus | TaskItemStatus;
  label: string;
}) {
  const { t } = useTranslation();
  const value = Math.round(Math.min(100, Math.max(0, progress)));
  return (
    <Group gap="xs" wrap="nowrap" miw={120}>
      <Progress
        value={value}
        color={STATUS_COLOR[status]}
        striped={status === 'running'}
        animated={status === 'running'}
        aria-label={label}
        style={{ flex: 1 }}
      />
      <Text size="xs" c="dimmed" w={40} ta="right" style={{ flexShrink: 0 }}>
        {t('tasks.progress', { progress: String(value) })}
      </Text>
    </Group>
  );
}

/** Who started a task: "You", a user's number (the task carries only that), or the system. */
export function createdByLabel(createdBy: number | null, currentUserId: number | undefined, t: TFunction) {
  if (createdBy === null) return t('tasks.createdBy.system');
  if (createdBy === currentUserId) return t('tasks.createdBy.you');
  return t('tasks.createdBy.user', { id: String(createdBy) });
}

/** A duration as "42 s", "3 min 5 s" or "2 h 10 min"; "—" when there is none. */
export function formatDuration(ms: number | null, t: TFunction): string {
  if (ms === null) return '—';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return t('tasks.duration.hours', { h: String(h), m: String(m) });
  if (m > 0) return t('tasks.duration.minutes', { m: String(m), s: String(s) });
  return t('tasks.duration.seconds', { s: String(s) });
}

/** The time now, ticking every second while `ticking` (a running task's duration grows). */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1_000);
    return () => {
      clearInterval(timer);
    };
  }, [ticking]);
  return now;
}
