import {
  Accordion,
  Anchor,
  Badge,
  Card,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../../components/query-state';
import { SectionHeading } from '../../components/section-heading';
import { serverListQueryOptions } from '../servers/servers.queries';
import { RoleRunsTable } from './role-runs';
import { formatDefault, roleTexts, variableDescription } from './role-variables';
import { rolesQueryOptions, type Role } from './roles.queries';

/** How many of a role's servers its card names. */
const SERVERS_SHOWN = 8;

/** The servers that have `role` (from the inventory's filter by role). */
function AssignedServers({ role }: { role: string }) {
  const { t } = useTranslation();
  const servers = useQuery(serverListQueryOptions({ role, per_page: SERVERS_SHOWN }));
  if (!servers.data) return null;
  const { items, pagination } = servers.data;
  return (
    <Text size="sm" component="div">
      <Text span fw={600}>
        {t('ansibleRoles.catalogue.assignedTo')}:{' '}
      </Text>
      {items.length === 0
        ? t('ansibleRoles.catalogue.noServers')
        : items.map((server, index) => (
            <span key={server.name}>
              {index > 0 ? ', ' : ''}
              <Anchor component={Link} to={`/servers/${encodeURIComponent(server.name)}?tab=role`}>
                {server.name}
              </Anchor>
            </span>
          ))}
      {pagination.total > items.length ? ` … (${String(pagination.total)})` : ''}
    </Text>
  );
}

/** One role of the catalogue: what it is, where it runs, its settings, and the servers that have it. */
function RoleCard({ role }: { role: Role }) {
  const { t, i18n } = useTranslation();
  const texts = roleTexts(role, i18n.language);
  return (
    <Card withBorder radius="md" padding="md" data-testid={`role-card-${role.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Title order={3} size="h4">
            {texts.label}
          </Title>
          <Badge variant="outline" tt="none">
            {role.name}
          </Badge>
        </Group>
        <Text size="sm">{texts.description}</Text>
        <Group gap={4}>
          <Text size="xs" c="dimmed">
            {t('ansibleRoles.catalogue.runsOn')}
          </Text>
          {role.os_support.map((os) => (
            <Badge key={os} size="sm" variant="light" color="gray" tt="none">
              {os}
            </Badge>
          ))}
          <Badge size="sm" variant="light" color={role.removable ? 'teal' : 'gray'} tt="none">
            {role.removable
              ? t('ansibleRoles.catalogue.removable')
              : t('ansibleRoles.catalogue.notRemovable')}
          </Badge>
        </Group>
        <AssignedServers role={role.name} />
        <Accordion variant="contained" chevronPosition="left">
          <Accordion.Item value="settings">
            <Accordion.Control aria-label={t('ansibleRoles.catalogue.settingsOf', { role: role.name })}>
              {t('ansibleRoles.catalogue.settings')} ({role.variables.length})
            </Accordion.Control>
            <Accordion.Panel>
              {role.variables.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('ansibleRoles.catalogue.noSettings')}
                </Text>
              ) : (
                <Stack gap={6} component="dl" m={0}>
                  {role.variables.map((variable) => (
                    <div key={variable.name}>
                      <Group gap={6} component="dt">
                        <Text size="sm" ff="monospace" fw={600}>
                          {variable.name}
                        </Text>
                        <Badge size="xs" variant="light" tt="none">
                          {t(
                            `ansibleRoles.types.${variable.type === 'integer' || variable.type === 'boolean' || variable.type === 'list' ? variable.type : 'string'}`,
                          )}
                        </Badge>
                        {variable.required ? (
                          <Badge size="xs" color="orange" variant="light" tt="none">
                            {t('ansibleRoles.catalogue.required')}
                          </Badge>
                        ) : null}
                        {variable.secret ? (
                          <Badge size="xs" color="grape" variant="light" tt="none">
                            {t('ansibleRoles.catalogue.secret')}
                          </Badge>
                        ) : null}
                        {variable.default !== undefined ? (
                          <Text size="xs" c="dimmed">
                            {t('ansibleRoles.catalogue.defaultValue', {
                              value: formatDefault(variable.default),
                            })}
                          </Text>
                        ) : null}
                      </Group>
                      <Text size="xs" c="dimmed" component="dd" m={0}>
                        {variableDescription(variable, i18n.language)}
                      </Text>
                    </div>
                  ))}
                </Stack>
              )}
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      </Stack>
    </Card>
  );
}

/**
 * The roles page (docs/api.md §6): the catalogue the project ships (ansible/roles), each role with its
 * settings and the servers that have it, then the history of runs with their output. Assigning happens from a
 * server's Role tab or from the server list's selection.
 */
export function RolesPage() {
  const { t } = useTranslation();
  const roles = useQuery(rolesQueryOptions);
  useDocumentTitle(`${t('ansibleRoles.title')} · ${t('app.name')}`);
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('ansibleRoles.title')}
        </Title>
        <Text c="dimmed">{t('ansibleRoles.description')}</Text>
      </div>
      <section aria-labelledby="roles-catalogue">
        <Stack gap="sm">
          <Title order={2} size="h3" id="roles-catalogue">
            {t('ansibleRoles.catalogue.title')}
          </Title>
          <QueryState
            query={roles}
            errorMessage={(error) => t('ansibleRoles.loadFailed', { error: error.message })}
            loading={
              <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} aria-busy="true">
                <VisuallyHidden>{t('common.loading')}</VisuallyHidden>
                <Skeleton h={180} radius="md" />
                <Skeleton h={180} radius="md" />
              </SimpleGrid>
            }
            isEmpty={(data) => data.length === 0}
            empty={t('ansibleRoles.catalogue.empty')}
          >
            {(data) => (
              <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
                {data.map((role) => (
                  <RoleCard key={role.name} role={role} />
                ))}
              </SimpleGrid>
            )}
          </QueryState>
        </Stack>
      </section>
      <section aria-labelledby="roles-history">
        <Stack gap="sm">
          <SectionHeading
            id="roles-history"
            order={2}
            title={t('ansibleRoles.history.title')}
            description={t('ansibleRoles.history.description')}
          />
          <RoleRunsTable />
        </Stack>
      </section>
    </Stack>
  );
}
