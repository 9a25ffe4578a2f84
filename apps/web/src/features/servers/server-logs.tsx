import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  NativeSelect,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../lib/api';
import { formatDateTime } from '../../lib/i18n';
import { serverLogsQueryOptions, type ServerLogs, type ServerLogsQuery } from './servers.queries';

type LogType = NonNullable<ServerLogsQuery['type']>;
const LOG_TYPES: readonly LogType[] = ['tasks', 'events', 'guest'];
/** The guest files the API allows by default (GUEST_LOG_PATHS); its 400 tells the configured ones. */
const DEFAULT_GUEST_PATHS = [
  '/var/log/syslog',
  '/var/log/messages',
  '/var/log/cloud-init.log',
  '/var/log/cloud-init-output.log',
];

/** The allowed paths a 400 lists ("must be one of GUEST_LOG_PATHS: /a, /b"), if it does. */
export function allowedPathsFrom(error: unknown): string[] | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const message = error.fields.path;
  const list = message?.split(':').slice(1).join(':');
  if (!list) return null;
  const paths = list
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path.startsWith('/'));
  return paths.length > 0 ? paths : null;
}

type PveTask = NonNullable<ServerLogs['tasks']>[number];
type ServerEvent = NonNullable<ServerLogs['events']>[number];

function LogLines({ lines, empty }: { lines: readonly string[]; empty: string }) {
  return lines.length === 0 ? (
    <Text size="sm" c="dimmed">
      {empty}
    </Text>
  ) : (
    <Code block style={{ maxHeight: 420, overflow: 'auto', whiteSpace: 'pre' }}>
      {lines.join('\n')}
    </Code>
  );
}

/** The VM's Proxmox tasks, newest first, each opening to its log. */
function PveTasks({ tasks }: { tasks: readonly PveTask[] }) {
  const { t } = useTranslation();
  if (tasks.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('servers.logs.noTasks')}
      </Text>
    );
  return (
    <Accordion variant="separated" chevronPosition="left">
      {tasks.map((task) => (
        <Accordion.Item key={task.upid} value={task.upid}>
          <Accordion.Control aria-label={t('servers.logs.showLog', { upid: task.upid })}>
            <Group gap="sm" wrap="wrap">
              <Text size="sm" fw={600}>
                {task.type}
              </Text>
              <Badge
                variant="light"
                color={
                  task.status === null
                    ? 'blue'
                    : task.status === 'OK'
                      ? 'teal'
                      : task.status.startsWith('WARNINGS')
                        ? 'yellow'
                        : 'red'
                }
              >
                {task.status ?? t('servers.logs.running')}
              </Badge>
              <Text size="xs" c="dimmed">
                {task.started_at ? formatDateTime(task.started_at) : ''} · {task.user} · {task.node}
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <LogLines lines={task.log} empty={t('servers.logs.emptyLog')} />
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}

const OUTCOME_COLORS: Record<ServerEvent['outcome'], string> = {
  requested: 'blue',
  completed: 'teal',
  failed: 'red',
};

/** What Proxdeck did to the server: who, what, when, how it ended, and the task. */
function Events({ events }: { events: readonly ServerEvent[] }) {
  const { t } = useTranslation();
  if (events.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('servers.logs.noEvents')}
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label={t('servers.logs.events')} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('servers.logs.when')}</Table.Th>
            <Table.Th>{t('servers.logs.who')}</Table.Th>
            <Table.Th>{t('servers.logs.what')}</Table.Th>
            <Table.Th>{t('servers.logs.outcome')}</Table.Th>
            <Table.Th>{t('servers.logs.detail')}</Table.Th>
            <Table.Th>{t('servers.logs.task')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event, index) => (
            <Table.Tr key={`${event.at}-${String(index)}`}>
              <Table.Td>{formatDateTime(event.at)}</Table.Td>
              <Table.Td>{event.actor ?? t('servers.logs.system')}</Table.Td>
              <Table.Td>{event.action}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={OUTCOME_COLORS[event.outcome]}>
                  {t(`servers.logs.outcomes.${event.outcome}`)}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{event.detail || t('servers.none')}</Text>
              </Table.Td>
              <Table.Td>
                {event.task_id ? (
                  <Anchor component={Link} to={`/tasks/${event.task_id}`} size="sm">
                    {event.task_id.slice(0, 8)}
                  </Anchor>
                ) : (
                  t('servers.none')
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function LogError({ error, type }: { error: Error; type: LogType }) {
  const { t } = useTranslation();
  // 409: the guest agent does not answer (details.reason guest_agent_unavailable), or the VM is not there.
  const agentDown = type === 'guest' && error instanceof ApiError && error.status === 409;
  const badPath = type === 'guest' && error instanceof ApiError && error.status === 400;
  return (
    <Alert color={agentDown ? 'orange' : 'red'} icon={<IconAlertCircle size={18} />} data-testid="log-error">
      <Stack gap={4}>
        <Text size="sm">
          {agentDown
            ? t('servers.logs.agentDown')
            : badPath
              ? t('servers.logs.badPath', { error: error.fields.path ?? error.message })
              : t('servers.logs.loadError', { error: error.message })}
        </Text>
        {agentDown ? (
          <Text size="xs" c="dimmed">
            {error.message}
          </Text>
        ) : null}
      </Stack>
    </Alert>
  );
}

/** Logs: the VM's Proxmox tasks with their logs, Proxdeck's events, a guest log file (the syslog by default). */
export function ServerLogsPanel({ name }: { name: string }) {
  const { t } = useTranslation();
  const [type, setType] = useState<LogType>('tasks');
  const [path, setPath] = useState('');
  const [paths, setPaths] = useState<string[]>(DEFAULT_GUEST_PATHS);
  const query: ServerLogsQuery = type === 'guest' && path ? { type, path } : { type };
  const logs = useQuery(serverLogsQueryOptions(name, query));
  const allowed = allowedPathsFrom(logs.error);
  if (allowed && allowed.join() !== paths.join()) setPaths(allowed);

  return (
    <Card withBorder padding="lg" radius="md" data-testid="server-logs">
      <Group justify="space-between" mb="sm" gap="sm">
        <Title order={2} size="h4">
          {t('servers.logs.title')}
        </Title>
        <Button
          variant="subtle"
          size="compact-sm"
          leftSection={<IconRefresh size={14} />}
          loading={logs.isFetching}
          onClick={() => void logs.refetch()}
        >
          {t('servers.logs.refresh')}
        </Button>
      </Group>
      <Stack gap="sm">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <SegmentedControl
            aria-label={t('servers.logs.type')}
            value={type}
            onChange={(value) => {
              setType(LOG_TYPES.find((candidate) => candidate === value) ?? 'tasks');
            }}
            data={LOG_TYPES.map((value) => ({ value, label: t(`servers.logs.${value}`) }))}
          />
          {type === 'guest' ? (
            <NativeSelect
              label={t('servers.logs.path')}
              value={path}
              onChange={(event) => {
                setPath(event.currentTarget.value);
              }}
              data={[{ value: '', label: t('servers.logs.pathDefault') }, ...paths]}
            />
          ) : null}
        </Group>
        {logs.isError ? (
          <LogError error={logs.error} type={type} />
        ) : logs.isPending ? (
          <Skeleton h={160} radius="md" />
        ) : logs.data.type === 'tasks' ? (
          <PveTasks tasks={logs.data.tasks ?? []} />
        ) : logs.data.type === 'events' ? (
          <Events events={logs.data.events ?? []} />
        ) : logs.data.guest ? (
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              {t('servers.logs.lines', { count: logs.data.guest.lines.length, path: logs.data.guest.path })}
            </Text>
            {logs.data.guest.truncated ? (
              <Text size="xs" c="orange">
                {t('servers.logs.truncated')}
              </Text>
            ) : null}
            <LogLines lines={logs.data.guest.lines} empty={t('servers.logs.emptyGuest')} />
          </Stack>
        ) : null}
      </Stack>
    </Card>
  );
}

/** The Proxdeck tasks that touched the server, from its events (newest first), each linked to its page. */
export function TouchedTasks({ name }: { name: string }) {
  const { t } = useTranslation();
  const logs = useQuery(serverLogsQueryOptions(name, { type: 'events' }));
  const seen = new Map<string, ServerEvent>();
  for (const event of logs.data?.events ?? [])
    if (event.task_id && !seen.has(event.task_id)) seen.set(event.task_id, event);
  return (
    <Card withBorder padding="lg" radius="md" data-testid="touched-tasks">
      <Title order={2} size="h4" mb="sm">
        {t('servers.logs.touched')}
      </Title>
      {logs.isError ? (
        <LogError error={logs.error} type="events" />
      ) : logs.isPending ? (
        <Skeleton h={60} radius="md" />
      ) : seen.size === 0 ? (
        <Text size="sm" c="dimmed">
          {t('servers.logs.noTouched')}
        </Text>
      ) : (
        <Stack gap={4} component="ul" m={0} pl="md">
          {[...seen.entries()].map(([taskId, event]) => (
            <Text size="sm" component="li" key={taskId}>
              <Anchor component={Link} to={`/tasks/${taskId}`}>
                {event.action}
              </Anchor>{' '}
              <Text span c="dimmed" size="xs">
                {formatDateTime(event.at)} · {event.actor ?? t('servers.logs.system')} ·{' '}
                {t(`servers.logs.outcomes.${event.outcome}`)}
              </Text>
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}
