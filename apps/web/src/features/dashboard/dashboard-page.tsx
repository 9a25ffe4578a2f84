import {
  ActionIcon,
  Alert,
  Badge,
  Card,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconAlertCircle, IconDatabase, IconRefresh, IconServer, IconStack2 } from '@tabler/icons-react';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../lib/i18n';
import { Can } from '../../lib/permissions';
import { usePollInterval } from '../../lib/sse';
import { statusColor, statusLabel } from '../../lib/status';
import { useCurrentUser } from '../auth/auth.queries';
import { ClusterCard } from '../servers/cluster-card';
import { READINESS_POLL_MS, readinessQueryOptions } from './dashboard.queries';
import { TasksCard } from './tasks-card';

type CheckName = 'postgres' | 'redis' | 'proxmox';
const CHECKS: { name: CheckName; icon: typeof IconDatabase }[] = [
  { name: 'postgres', icon: IconDatabase },
  { name: 'redis', icon: IconStack2 },
  { name: 'proxmox', icon: IconServer },
];

function SystemStatus() {
  const { t } = useTranslation();
  // Polled only while the live stream is not open: then the stream's connection says the API is up.
  const readiness = useQuery({
    ...readinessQueryOptions,
    refetchInterval: usePollInterval(READINESS_POLL_MS),
  });
  return (
    <Card withBorder padding="lg" radius="md">
      <Group justify="space-between" mb="md">
        <Group gap="sm">
          <Title order={3} size="h4">
            {t('dashboard.systemStatus')}
          </Title>
          {readiness.data ? (
            <Badge color={statusColor(readiness.data.status)} variant="light" data-testid="overall-status">
              {statusLabel(readiness.data.status, t)}
            </Badge>
          ) : null}
        </Group>
        <Group gap="xs">
          {readiness.dataUpdatedAt > 0 ? (
            <Text size="xs" c="dimmed">
              {t('dashboard.checkedAt', {
                time: formatDateTime(new Date(readiness.dataUpdatedAt).toISOString()),
              })}
            </Text>
          ) : null}
          <Tooltip label={t('dashboard.refresh')}>
            <ActionIcon
              variant="subtle"
              aria-label={t('dashboard.refresh')}
              loading={readiness.isFetching}
              onClick={() => void readiness.refetch()}
            >
              <IconRefresh size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      {readiness.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('dashboard.statusUnavailable')} {readiness.error.message}
        </Alert>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {CHECKS.map(({ name, icon: CheckIcon }) => {
            const check = readiness.data?.checks[name];
            return (
              <Card key={name} withBorder padding="md" radius="md" data-testid={`check-${name}`}>
                <Group gap="xs" wrap="nowrap" mb={8}>
                  <CheckIcon size={18} stroke={1.6} />
                  <Text fw={500}>{t(`dashboard.checks.${name}`)}</Text>
                </Group>
                {readiness.data ? (
                  <Group gap={6}>
                    <Badge color={statusColor(check?.status ?? 'unknown')} variant="light">
                      {statusLabel(check?.status ?? 'unknown', t)}
                    </Badge>
                    {check?.mode === 'simulator' ? (
                      <Badge color="grape" variant="light">
                        {t('status.simulator')}
                      </Badge>
                    ) : null}
                  </Group>
                ) : (
                  <Skeleton h={20} w={80} />
                )}
                {typeof check?.latency_ms === 'number' ? (
                  <Text size="xs" c="dimmed" mt={6}>
                    {t('dashboard.latency', { ms: String(Math.round(check.latency_ms)) })}
                  </Text>
                ) : null}
                {check?.error ? (
                  <Text size="xs" c="red" mt={4}>
                    {check.error}
                  </Text>
                ) : null}
              </Card>
            );
          })}
        </SimpleGrid>
      )}
    </Card>
  );
}

/**
 * The start page: who is signed in, the cluster at a glance, the tasks running and just finished, and whether
 * the platform is up.
 */
export function DashboardPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  useDocumentTitle(`${t('dashboard.title')} · ${t('app.name')}`);
  if (!user) return null;
  const name = user.name.trim() || user.username;
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('dashboard.welcome', { name })}
        </Title>
        <Text c="dimmed">
          {t('dashboard.summary', { username: user.username, role: t(`roles.${user.role}`) })}
        </Text>
      </div>
      <Can permission="view_all">
        <ClusterCard />
      </Can>
      <TasksCard />
      <SystemStatus />
    </Stack>
  );
}
