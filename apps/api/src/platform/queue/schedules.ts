import { PLATFORM_SCHEDULES, type ScheduleTable } from './schedule-table';

/**
 * The application's one registry of recurring jobs: each runs once per period across the whole installation,
 * however many API and worker processes run (scheduler.ts). Adding one touches this table, a `SCHEDULE_*`
 * setting, and the module whose @ScheduledJob handles it.
 */
export const SCHEDULES = {
  ...PLATFORM_SCHEDULES,
  'notifications.prune': {
    schedule: 'SCHEDULE_NOTIFICATIONS_PRUNE',
    description: 'Deletes notifications older than NOTIFICATION_RETENTION_DAYS',
  },
  'audit.prune': {
    schedule: 'SCHEDULE_AUDIT_PRUNE',
    description: 'Deletes audit entries older than AUDIT_RETENTION_DAYS (at least 30 days are always kept)',
  },
  'monitoring.alerts_check': {
    schedule: 'SCHEDULE_ALERTS_CHECK',
    description:
      'Reads the cluster once, raises threshold, server-down and Proxmox-unreachable alerts, resolves cleared ones',
  },
  'servers.sync': {
    schedule: 'SCHEDULE_SERVERS_SYNC',
    description: 'Reads Proxmox’s resource list once and brings the server inventory up to date',
  },
} satisfies ScheduleTable;

export type AppSchedules = typeof SCHEDULES;
