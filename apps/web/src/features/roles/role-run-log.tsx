import { Alert, Anchor, Badge, Code, Group, ScrollArea, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLiveEvent, usePollInterval } from '../../lib/sse';
import { roleRunQueryOptions, roleRunsQueryOptions } from './roles.queries';

/** How often a running run is read again while the live stream is down. */
const RUN_POLL_MS = 2_000;

const STATUS_COLORS: Record<string, string> = { running: 'blue', succeeded: 'teal', failed: 'red' };

export function RoleRunStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = status === 'running' || status === 'succeeded' || status === 'failed';
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light">
      {known ? t(`ansibleRoles.statuses.${status}`) : status}
    </Badge>
  );
}

/**
 * One run's output: its stored log, with the lines added as `role_run` events bring them (lib/sse.ts patches
 * the cached run), kept scrolled to the newest line while the reader is there.
 */
export function RoleRunLog({ runId }: { runId: number }) {
  const { t } = useTranslation();
  const poll = usePollInterval(RUN_POLL_MS);
  const run = useQuery({
    ...roleRunQueryOptions(runId),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? poll : false),
  });
  const viewport = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const log = run.data?.log ?? '';
  useEffect(() => {
    const element = viewport.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  }, [log]);

  if (run.isError)
    return (
      <Alert color="red" role="alert">
        {t('ansibleRoles.loadFailed', { error: run.error.message })}
      </Alert>
    );
  if (!run.data)
    return (
      <Text size="sm" c="dimmed" aria-busy="true">
        {t('common.loading')}
      </Text>
    );
  const data = run.data;
  return (
    <Stack gap="xs" data-testid={`role-run-${String(data.id)}`} data-status={data.status}>
      <Group gap="sm" justify="space-between">
        <Text size="sm" fw={600}>
          {t('ansibleRoles.log.title', {
            action: t(`ansibleRoles.actions.${data.action}`),
            role: data.role,
            server: data.server,
          })}
        </Text>
        <Group gap="xs">
          {data.exit_code !== null ? (
            <Text size="xs" c="dimmed">
              {t('ansibleRoles.log.exitCode', { code: data.exit_code })}
            </Text>
          ) : null}
          <RoleRunStatusBadge status={data.status} />
          {data.task_id ? (
            <Anchor component={Link} to={`/tasks/${data.task_id}`} size="xs">
              {t('ansibleRoles.log.openTask')}
            </Anchor>
          ) : null}
        </Group>
      </Group>
      {data.error ? (
        <Alert color="red" p="xs">
          {data.error}
        </Alert>
      ) : null}
      <ScrollArea.Autosize
        mah={420}
        viewportRef={viewport}
        onScrollPositionChange={({ y }) => {
          const element = viewport.current;
          if (element) following.current = y + element.clientHeight >= element.scrollHeight - 24;
        }}
      >
        <Code block data-testid="role-run-output" aria-live="polite" style={{ whiteSpace: 'pre-wrap' }}>
          {log === ''
            ? data.status === 'running'
              ? t('ansibleRoles.log.waiting')
              : t('ansibleRoles.log.empty')
            : log}
        </Code>
      </ScrollArea.Autosize>
    </Stack>
  );
}

/**
 * The output of the run a task has just started on `server`: the run is found by its first `role_run` event or,
 * when that came before this was shown, in the history; then its log follows live.
 */
export function LiveRoleRun({ taskId, server }: { taskId: string; server: string }) {
  const { t } = useTranslation();
  const [seen, setSeen] = useState<number | null>(null);
  useLiveEvent('role_run', (event) => {
    if (seen === null && event.task_id === taskId && event.server === server) setSeen(event.run_id);
  });
  const poll = usePollInterval(RUN_POLL_MS);
  const listed = useQuery({
    ...roleRunsQueryOptions({ task_id: taskId, server }),
    enabled: seen === null,
    refetchInterval: seen === null ? poll : false,
  });
  const runId = seen ?? listed.data?.items[0]?.id ?? null;
  if (runId === null)
    return (
      <Code block data-testid="role-run-output" aria-busy="true">
        {t('ansibleRoles.log.waiting')}
      </Code>
    );
  return <RoleRunLog runId={runId} />;
}
