import { Anchor, Badge, Group, List, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../../components/query-state';
import { SectionHeading } from '../../components/section-heading';
import { formatDateTime } from '../../lib/i18n';
import { healthSummaryQueryOptions, type HealthIssue, type ServerHealth } from './monitoring.queries';

export const HEALTH_COLOR: Record<ServerHealth['status'], string> = {
  healthy: 'teal',
  warning: 'yellow',
  critical: 'red',
  unknown: 'gray',
};
const ISSUE_COLOR: Record<HealthIssue['level'], string> = {
  warning: 'yellow',
  critical: 'red',
  unknown: 'gray',
};

/** The servers that are not healthy, with their issues explained, each linking to its page. */
export function ProblemServers() {
  const { t } = useTranslation();
  const summary = useQuery(healthSummaryQueryOptions);
  const heading = (
    <SectionHeading
      title={t('monitoring.problems.title')}
      description={t('monitoring.problems.description')}
      id="problems-title"
    />
  );

  return (
    <Stack gap="sm" component="section" aria-labelledby="problems-title">
      {heading}
      <QueryState
        query={summary}
        errorTitle={t('monitoring.loadFailed')}
        rows={1}
        rowHeight={120}
        isEmpty={(data) => data.problematic.length === 0}
        empty={t('monitoring.problems.empty')}
      >
        {(data) => (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {data.problematic.map((server) => (
              <Paper key={server.name} withBorder p="md" radius="md" data-testid={`problem-${server.name}`}>
                <Stack gap="xs">
                  <Group justify="space-between" wrap="nowrap">
                    <Anchor component={Link} to={`/servers/${encodeURIComponent(server.name)}`} fw={600}>
                      {server.name}
                    </Anchor>
                    <Badge color={HEALTH_COLOR[server.status]} variant="light">
                      {t(`monitoring.health.${server.status}`)}
                    </Badge>
                  </Group>
                  {server.server_ip ? (
                    <Text size="xs" c="dimmed" ff="monospace">
                      {server.server_ip}
                    </Text>
                  ) : null}
                  {server.issues.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      {t('monitoring.problems.noIssues')}
                    </Text>
                  ) : (
                    <List spacing={4} size="sm">
                      {server.issues.map((issue, index) => (
                        <List.Item
                          key={`${issue.type}-${String(index)}`}
                          icon={
                            <Badge size="xs" color={ISSUE_COLOR[issue.level]} variant="dot">
                              {t(`monitoring.health.${issue.level}`)}
                            </Badge>
                          }
                        >
                          {issue.message}
                        </List.Item>
                      ))}
                    </List>
                  )}
                  <Text size="xs" c="dimmed">
                    {t('monitoring.problems.checks', {
                      pve: server.checks.pve,
                      tcp: server.checks.tcp,
                      agent: server.checks.agent,
                    })}
                    {' · '}
                    {t('monitoring.problems.checkedAt', { time: formatDateTime(server.checked_at) })}
                  </Text>
                </Stack>
              </Paper>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Stack>
  );
}
