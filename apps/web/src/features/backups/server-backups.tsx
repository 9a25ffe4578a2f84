import { Button, Group, Paper, Stack, Title } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { Can } from '../../lib/permissions';
import { BackupTable, RunBackupModal } from './backup-table';
import { serverBackupsQueryOptions } from './backups.queries';

/** A server's backups tab: its archives on every storage, newest first; back it up now, restore, delete. */
export function ServerBackups({ name }: { name: string }) {
  const { t } = useTranslation();
  const backups = useQuery(serverBackupsQueryOptions(name));
  const [running, setRunning] = useState(false);
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('backups.server.title', { name })}
        </Title>
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
      <QueryState
        query={backups}
        errorTitle={t('backups.loadFailed')}
        rows={1}
        rowHeight={80}
        isEmpty={(data) => data.length === 0}
        empty={t('backups.server.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <BackupTable backups={data} showServer={false} />
          </Paper>
        )}
      </QueryState>
      {running ? (
        <RunBackupModal
          server={name}
          onClose={() => {
            setRunning(false);
          }}
        />
      ) : null}
    </Stack>
  );
}
