import {
  Alert,
  Anchor,
  Badge,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { usePollInterval } from '../../lib/sse';
import { formatBytes, percent } from './server-format';
import { ServerStatusBadge } from './server-status-badge';
import { clusterStatusQueryOptions, SERVER_STATUSES, SERVERS_POLL_MS } from './servers.queries';

/**
 * The dashboard's "cluster at a glance" (GET /api/all_server_status): each node's CPU and memory, and how many
 * servers are in each status. Refreshed by server events that change a status; polled only without the stream.
 */
export function ClusterCard() {
  const { t } = useTranslation();
  const cluster = useQuery({
    ...clusterStatusQueryOptions,
    refetchInterval: usePollInterval(SERVERS_POLL_MS),
  });
  const stats = cluster.data?.stats;
  return (
    <Card withBorder padding="lg" radius="md" data-testid="cluster-card">
      <Group justify="space-between" mb="md">
        <Title order={3} size="h4">
          {t('servers.cluster.title')}
        </Title>
        <Anchor component={Link} to="/servers" size="sm">
          {t('servers.cluster.openServers')}
        </Anchor>
      </Group>
      {cluster.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('servers.cluster.unavailable', { error: cluster.error.message })}
        </Alert>
      ) : stats ? (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="sm">
            <Text fw={500} size="sm">
              {t('servers.cluster.nodes')}
            </Text>
            {stats.nodes.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('servers.cluster.noNodes')}
              </Text>
            ) : (
              stats.nodes.map((node) => {
                const cpu = percent(node.cpu);
                const memory = node.maxmem > 0 ? percent(node.mem / node.maxmem) : 0;
                return (
                  <Stack key={node.node} gap={4} data-testid={`node-${node.node}`}>
                    <Group gap="xs">
                      <Text size="sm" fw={600}>
                        {node.node}
                      </Text>
                      <Badge size="xs" variant="light" color={node.status === 'online' ? 'teal' : 'red'}>
                        {node.status}
                      </Badge>
                    </Group>
                    <Text size="xs" c="dimmed">
                      {t('servers.cluster.cpu', { percent: String(cpu), cores: String(node.maxcpu) })}
                    </Text>
                    <Progress value={cpu} size="sm" aria-label={`${node.node} CPU`} />
                    <Text size="xs" c="dimmed">
                      {t('servers.cluster.memory', {
                        used: formatBytes(node.mem),
                        total: formatBytes(node.maxmem),
                      })}
                    </Text>
                    <Progress value={memory} size="sm" color="grape" aria-label={`${node.node} memory`} />
                  </Stack>
                );
              })
            )}
          </Stack>
          <Stack gap="sm">
            <Text fw={500} size="sm">
              {t('servers.cluster.byStatus')}
            </Text>
            <Text size="sm" data-testid="cluster-total">
              {t('servers.cluster.total', { count: stats.total })}
            </Text>
            <Group gap="sm">
              {SERVER_STATUSES.filter((status) => (stats.by_status[status] ?? 0) > 0).map((status) => (
                <Group key={status} gap={4} data-testid={`count-${status}`}>
                  <ServerStatusBadge status={status} />
                  <Text size="sm" fw={600}>
                    {stats.by_status[status]}
                  </Text>
                </Group>
              ))}
            </Group>
          </Stack>
        </SimpleGrid>
      ) : (
        <Skeleton h={120} />
      )}
    </Card>
  );
}
