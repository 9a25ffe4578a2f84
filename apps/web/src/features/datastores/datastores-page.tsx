import { Badge, Button, Group, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { EmptyState, QueryState } from '../../components/query-state';
import { Can, usePermission } from '../../lib/permissions';
import { formatBytes, usedPercent } from './byte-size';
import { DatastoreDefaultsForm } from './datastore-defaults-form';
import {
  datastoresQueryOptions,
  useRefreshDatastores,
  type Datastore,
  type DatastoreList,
} from './datastores.queries';

function usageColor(percent: number): string {
  if (percent >= 90) return 'red';
  if (percent >= 75) return 'orange';
  return 'teal';
}

function DatastoreRow({ row }: { row: Datastore }) {
  const { t, i18n } = useTranslation();
  const percent = usedPercent(row.used_bytes, row.total_bytes);
  return (
    <Table.Tr>
      <Table.Th scope="row">{row.id}</Table.Th>
      <Table.Td>{row.node ?? <Badge variant="light">{t('datastores.table.shared')}</Badge>}</Table.Td>
      <Table.Td>{row.type}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          {row.content.map((item) => (
            <Badge key={item} variant="outline" color="gray" size="sm">
              {item}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td miw={180}>
        {row.total_bytes > 0 ? (
          <Stack gap={4}>
            <Progress
              value={percent}
              color={usageColor(percent)}
              aria-label={t('datastores.usageLabel', { id: row.id, percent: String(percent) })}
            />
            <Text size="xs" c="dimmed">
              {t('datastores.usage', {
                used: formatBytes(row.used_bytes, i18n.language),
                total: formatBytes(row.total_bytes, i18n.language),
                percent: String(percent),
              })}
            </Text>
          </Stack>
        ) : (
          <Text size="xs" c="dimmed">
            {t('datastores.noSize')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge color={row.active ? 'teal' : 'gray'} variant="light">
          {row.active ? t('datastores.active') : t('datastores.inactive')}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {row.is_default_hdd ? <Badge color="blue">{t('datastores.defaultHdd')}</Badge> : null}
          {row.is_default_ssd ? <Badge color="grape">{t('datastores.defaultSsd')}</Badge> : null}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function DatastoreTable({ list }: { list: DatastoreList }) {
  const { t } = useTranslation();
  if (list.datastores.length === 0) return <EmptyState>{t('datastores.empty')}</EmptyState>;
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={860}>
        <Table verticalSpacing="sm" highlightOnHover aria-label={t('datastores.table.label')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('datastores.table.id')}</Table.Th>
              <Table.Th>{t('datastores.table.node')}</Table.Th>
              <Table.Th>{t('datastores.table.type')}</Table.Th>
              <Table.Th>{t('datastores.table.content')}</Table.Th>
              <Table.Th>{t('datastores.table.usage')}</Table.Th>
              <Table.Th>{t('datastores.table.status')}</Table.Th>
              <Table.Th>{t('datastores.table.defaults')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.datastores.map((row) => (
              <DatastoreRow key={`${row.id}@${row.node ?? ''}`} row={row} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** The datastores with their usage; refresh for operators, the defaults for administrators. */
export function DatastoresPage() {
  const { t, i18n } = useTranslation();
  const list = useQuery(datastoresQueryOptions);
  const refresh = useRefreshDatastores();
  const canChooseDefaults = usePermission('admin_access');
  useDocumentTitle(`${t('datastores.title')} · ${t('app.name')}`);

  const onRefresh = () => {
    refresh.mutate(undefined, {
      onSuccess: (fresh) => {
        notifications.show({
          color: 'teal',
          icon: <IconCheck size={18} />,
          message: t('datastores.refreshed', { n: String(fresh.datastores.length) }),
        });
      },
      onError: (error) => {
        notifications.show({ color: 'red', title: t('datastores.refreshFailed'), message: error.message });
      },
    });
  };

  const refreshedAt = list.data?.refreshed_at;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('datastores.title')}
          </Title>
          <Text c="dimmed">{t('datastores.description')}</Text>
          {list.data ? (
            <Text size="sm" c="dimmed">
              {refreshedAt
                ? t('datastores.refreshedAt', {
                    time: new Date(refreshedAt).toLocaleString(i18n.language),
                  })
                : t('datastores.neverRefreshed')}
            </Text>
          ) : null}
        </div>
        <Can permission="manage_servers">
          <Button
            variant="light"
            leftSection={<IconRefresh size={16} />}
            loading={refresh.isPending}
            onClick={onRefresh}
          >
            {t('datastores.refresh')}
          </Button>
        </Can>
      </Group>

      <QueryState query={list} errorTitle={t('datastores.loadFailed')}>
        {(data) => (
          <>
            <DatastoreTable list={data} />
            {canChooseDefaults ? (
              <DatastoreDefaultsForm list={data} />
            ) : (
              <Text size="sm">
                {t('datastores.defaults.title')}:{' '}
                {t('datastores.defaults.current', {
                  hdd: data.default_hdd ?? t('datastores.defaults.unset'),
                  ssd: data.default_ssd ?? t('datastores.defaults.unset'),
                })}
              </Text>
            )}
          </>
        )}
      </QueryState>
    </Stack>
  );
}
