import { Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconCalendarTime, IconDeviceFloppy } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../../components/query-state';
import { Can } from '../../lib/permissions';
import { formatBytes } from '../servers/server-format';
import { serverListQueryOptions } from '../servers/servers.queries';
import { BackupTable, RunBackupModal } from './backup-table';
import { backupOverviewQueryOptions, type Backup } from './backups.queries';

/** The filters' choices: every node and storage seen in the list. */
function choices(backups: readonly Backup[], key: 'node' | 'storage'): string[] {
  return [...new Set(backups.map((backup) => backup[key]))].sort();
}

/** Every backup of the cluster, filtered by node, storage and server; run, restore, protect, delete. */
export function BackupsPage() {
  const { t } = useTranslation();
  const overview = useQuery(backupOverviewQueryOptions);
  const [node, setNode] = useState<string | null>(null);
  const [storage, setStorage] = useState<string | null>(null);
  const [server, setServer] = useState('');
  const [running, setRunning] = useState(false);
  const servers = useQuery({ ...serverListQueryOptions({ per_page: 200 }), enabled: running });
  useDocumentTitle(`${t('backups.title')} · ${t('app.name')}`);

  const all = overview.data?.backups ?? [];
  const needle = server.trim().toLowerCase();
  const shown = all.filter(
    (backup) =>
      (node === null || backup.node === node) &&
      (storage === null || backup.storage === storage) &&
      (needle === '' || (backup.server_name ?? String(backup.vmid ?? '')).toLowerCase().includes(needle)),
  );

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('backups.title')}
          </Title>
          <Text c="dimmed">{t('backups.description')}</Text>
        </div>
        <Group gap="sm">
          <Button
            component={Link}
            to="/backups/schedules"
            variant="default"
            leftSection={<IconCalendarTime size={16} />}
          >
            {t('backups.schedulesLink')}
          </Button>
          <Can permission="manage_backups">
            <Button
              leftSection={<IconDeviceFloppy size={16} />}
              onClick={() => {
                setRunning(true);
              }}
            >
              {t('backups.run.button')}
            </Button>
          </Can>
        </Group>
      </Group>

      <Group gap="sm" align="flex-end" role="search" aria-label={t('backups.filters.label')}>
        <Select
          label={t('backups.filters.node')}
          placeholder={t('backups.filters.all')}
          data={choices(all, 'node')}
          value={node}
          onChange={setNode}
          clearable
          w={180}
        />
        <Select
          label={t('backups.filters.storage')}
          placeholder={t('backups.filters.all')}
          data={choices(all, 'storage')}
          value={storage}
          onChange={setStorage}
          clearable
          w={180}
        />
        <TextInput
          label={t('backups.filters.server')}
          placeholder={t('backups.filters.serverPlaceholder')}
          value={server}
          onChange={(event) => {
            setServer(event.currentTarget.value);
          }}
          w={220}
        />
        {overview.data ? (
          <Text size="sm" c="dimmed" pb={8}>
            {t('backups.totals', {
              count: String(shown.length),
              size: formatBytes(shown.reduce((sum, backup) => sum + backup.size_bytes, 0)),
            })}
          </Text>
        ) : null}
      </Group>

      <QueryState
        query={overview}
        errorTitle={t('backups.loadFailed')}
        isEmpty={() => shown.length === 0}
        empty={t('backups.empty')}
      >
        {() => (
          <Paper withBorder radius="md">
            <BackupTable backups={shown} />
          </Paper>
        )}
      </QueryState>

      {running ? (
        <RunBackupModal
          server={null}
          servers={(servers.data?.items ?? [])
            .filter((candidate) => candidate.vmid !== null)
            .map((candidate) => candidate.name)}
          onClose={() => {
            setRunning(false);
          }}
        />
      ) : null}
    </Stack>
  );
}
