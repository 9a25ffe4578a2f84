import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { queryKeys } from '../../lib/query-keys';
import { TaskControls } from '../tasks/task-controls';
import { usePollInterval } from '../../lib/sse';
import { taskQueryOptions, type Task } from './servers.queries';

const TASK_POLL_MS = 2_000;

const STATUS_COLORS: Record<Task['items'][number]['status'] | Task['status'], string> = {
  queued: 'gray',
  running: 'blue',
  completed: 'teal',
  failed: 'red',
  partial: 'orange',
  cancelled: 'gray',
  skipped: 'gray',
};

/** The generated passwords the finished task carries on its creator's first read, by server name. */
export function secretsOf(task: Task | undefined): Record<string, string> | null {
  const secrets = task?.result?.secrets;
  if (typeof secrets !== 'object' || secrets === null) return null;
  const entries = Object.entries(secrets).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

function CopyAction({ value, label }: { value: string; label: string }) {
  const { t } = useTranslation();
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button
          size="compact-sm"
          variant="light"
          color={copied ? 'teal' : 'blue'}
          leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          onClick={copy}
          aria-label={label}
        >
          {copied ? t('servers.wizard.copied') : t('servers.wizard.copy')}
        </Button>
      )}
    </CopyButton>
  );
}

/** The passwords, shown this once: the API hands them out on the first read of the finished task only. */
function GeneratedSecrets({ secrets }: { secrets: Record<string, string> }) {
  const { t } = useTranslation();
  const all = Object.entries(secrets)
    .map(([name, password]) => `${name}\t${password}`)
    .join('\n');
  return (
    <Alert
      color="yellow"
      icon={<IconAlertTriangle size={18} />}
      title={t('servers.wizard.secretsTitle')}
      data-testid="generated-secrets"
    >
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('servers.wizard.secretsWarning')}
        </Text>
        {Object.entries(secrets).map(([name, password]) => (
          <Group key={name} gap="sm" wrap="nowrap">
            <Text size="sm" w={140} fw={500}>
              {name}
            </Text>
            <Code>{password}</Code>
            <CopyAction value={password} label={`${t('servers.wizard.copy')} ${name}`} />
          </Group>
        ))}
        <CopyButton value={all}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="subtle" w="fit-content" onClick={copy}>
              {copied ? t('servers.wizard.copied') : t('servers.wizard.copyAll')}
            </Button>
          )}
        </CopyButton>
      </Stack>
    </Alert>
  );
}

/**
 * The creation task as it runs, per server (patched live by task events, polled only while the stream is down),
 * then the links to the servers and the generated passwords, kept in this component's state: a later read of the
 * task no longer carries them.
 */
export function CreationProgress({ taskId, onCreateMore }: { taskId: string; onCreateMore: () => void }) {
  const { t } = useTranslation();
  const poll = usePollInterval(TASK_POLL_MS);
  const task = useQuery({
    ...taskQueryOptions(taskId),
    refetchInterval: (query) =>
      query.state.data && isFinalTaskStatus(query.state.data.status) ? false : poll,
  });
  const queryClient = useQueryClient();
  const [secrets, setSecrets] = useState<Record<string, string> | null>(null);
  const arrived = secretsOf(task.data);
  useEffect(() => {
    if (!arrived) return;
    setSecrets((kept) => kept ?? arrived);
    // Kept here only: the cached task (which other pages may show) loses them, as the API's next read does.
    queryClient.setQueryData<Task>(queryKeys.tasks.detail(taskId), (cached) => {
      if (!cached?.result) return cached;
      const { secrets: _taken, ...result } = cached.result;
      return { ...cached, result };
    });
  }, [arrived, queryClient, taskId]);

  const data = task.data;
  const finished = data ? isFinalTaskStatus(data.status) : false;
  return (
    <Stack gap="md" data-testid="creation-progress">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('servers.wizard.progressTitle')}
        </Title>
        <Anchor component={Link} to={`/tasks/${taskId}`} size="sm">
          {t('servers.wizard.openTask')}
        </Anchor>
      </Group>
      {task.isError ? <Alert color="red">{task.error.message}</Alert> : null}
      {data ? (
        <>
          <Group gap="sm" role="status">
            <Badge color={STATUS_COLORS[data.status]} variant="light" data-testid="task-status">
              {t(`servers.taskStatuses.${data.status}`)}
            </Badge>
            <Text size="sm">
              {t('servers.wizard.taskStatus', {
                status: t(`servers.taskStatuses.${data.status}`),
                progress: String(data.progress),
              })}
            </Text>
          </Group>
          <Progress value={data.progress} aria-label={t('servers.wizard.progressTitle')} />
          <TaskControls task={data} />
          {data.error ? <Alert color="red">{data.error}</Alert> : null}
          <Table.ScrollContainer minWidth={520}>
            <Table aria-label={t('servers.title')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('servers.columns.name')}</Table.Th>
                  <Table.Th>{t('servers.columns.status')}</Table.Th>
                  <Table.Th>{t('servers.wizard.step')}</Table.Th>
                  <Table.Th w="30%">%</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((item) => (
                  <Table.Tr key={item.name} data-testid={`item-${item.name}`}>
                    <Table.Td>
                      {finished && item.status === 'completed' ? (
                        <Anchor component={Link} to={`/servers/${item.name}`}>
                          {item.name}
                        </Anchor>
                      ) : (
                        item.name
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLORS[item.status]} variant="light">
                        {t(`servers.taskStatuses.${item.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.step ?? t('servers.none')}</Text>
                      {item.error ? (
                        <Text size="xs" c="red">
                          {item.error}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Progress value={item.progress} flex={1} aria-hidden />
                        <Text size="xs">{item.progress}%</Text>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      ) : null}
      {secrets ? <GeneratedSecrets secrets={secrets} /> : null}
      {finished ? (
        <Group gap="sm">
          <Button component={Link} to="/servers" variant="light">
            {t('servers.wizard.allServers')}
          </Button>
          <Button variant="subtle" onClick={onCreateMore}>
            {t('servers.wizard.createMore')}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
