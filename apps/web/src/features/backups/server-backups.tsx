import { Alert, Button, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconAlertCircle, IconDeviceFloppy } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
      {backups.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />} title={t('backups.loadFailed')} role="alert">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{backups.error.message}</Text>
            <Button size="xs" variant="light" color="red" onClick={() => void backups.refetch()}>
              {t('common.retry')}
            </Button>
          </Stack>
        </Alert>
      ) : backups.isPending ? (
        <Skeleton h={80} radius="md" aria-busy="true" />
      ) : backups.data.length === 0 ? (
        <Paper withBorder radius="md" p="xl">
          <Text c="dimmed" ta="center">
            {t('backups.server.empty')}
          </Text>
        </Paper>
      ) : (
        <Paper withBorder radius="md">
          <BackupTable backups={backups.data} showServer={false} />
        </Paper>
      )}
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
