/**
 * The list of backups with their actions (protect, restore, delete), shared by the cluster page and a server's
 * backups tab; the restore and run dialogs.
 */
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconHistory, IconLock, IconLockOpen, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, type NavigateFunction } from 'react-router';
import { ApiError } from '../../lib/api';
import { Can } from '../../lib/permissions';
import { datastoresQueryOptions } from '../datastores/datastores.queries';
import { formatBytes } from '../servers/server-format';
import {
  useDeleteBackup,
  useProtectBackup,
  useRestoreBackup,
  useRunBackup,
  type Backup,
  type RunBackupBody,
} from './backups.queries';

const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function formatTime(iso: string | null, language: string): string {
  if (iso === null) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function fileName(volid: string): string {
  return volid.slice(volid.indexOf('/') + 1);
}

/**
 * A toast's text linking to the task it started. Toasts render outside the router, so the link navigates with
 * the page's own `navigate` rather than being a router <Link>.
 */
export function taskMessage(navigate: NavigateFunction, taskId: string, text: string) {
  return (
    <Anchor
      component="button"
      type="button"
      onClick={() => {
        void navigate(`/tasks/${taskId}`);
      }}
    >
      {text}
    </Anchor>
  );
}

function failed(title: string, error: Error) {
  notifications.show({ color: 'red', title, message: error.message });
}

/** Asks before deleting, naming the archive, its server, size and time. */
function useConfirmDelete(): (backup: Backup) => void {
  const { t, i18n } = useTranslation();
  const remove = useDeleteBackup();
  return (backup) => {
    const volid = fileName(backup.volid);
    modals.openConfirmModal({
      title: t('backups.confirmDelete.title'),
      children: (
        <Text size="sm">
          {t('backups.confirmDelete.body', {
            volid,
            server:
              backup.server_name ?? t('backups.table.unknownServer', { vmid: String(backup.vmid ?? '?') }),
            size: formatBytes(backup.size_bytes),
            ctime: formatTime(backup.ctime, i18n.language),
            storage: backup.storage,
          })}
        </Text>
      ),
      labels: { confirm: t('backups.confirmDelete.confirm'), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(backup, {
          onSuccess: () => {
            notifications.show({
              color: 'teal',
              icon: <IconCheck size={18} />,
              message: t('backups.confirmDelete.done', { volid }),
            });
          },
          onError: (error) => {
            failed(t('backups.confirmDelete.failed', { volid }), error);
          },
        });
      },
    });
  };
}

/** Restores into a new server, or over the original VM once the caller confirms what is destroyed. */
export function RestoreModal({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const restore = useRestoreBackup();
  const navigate = useNavigate();
  const datastores = useQuery(datastoresQueryOptions);
  const [target, setTarget] = useState<'new' | 'overwrite'>(backup.server_name === null ? 'new' : 'new');
  const [name, setName] = useState('');
  const [storage, setStorage] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const volid = fileName(backup.volid);
  const vmid = String(backup.vmid ?? '?');
  const imageStores = (datastores.data?.datastores ?? [])
    .filter((store) => store.content.includes('images'))
    .map((store) => store.id)
    .filter((id, index, all) => all.indexOf(id) === index);
  const nameError =
    target === 'new' && name !== '' && !SERVER_NAME.test(name)
      ? t('backups.restoreForm.nameInvalid')
      : undefined;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (target === 'new' && (name === '' || nameError !== undefined)) return;
    if (target === 'overwrite' && !confirmed) return;
    restore.mutate(
      {
        node: backup.node,
        volid: backup.volid,
        ...(storage !== null ? { storage } : {}),
        ...(target === 'new' ? { name } : { overwrite: true }),
      },
      {
        onSuccess: (accepted) => {
          notifications.show({
            color: 'teal',
            icon: <IconCheck size={18} />,
            message: taskMessage(navigate, accepted.task_id, t('backups.restoreForm.started', { volid })),
          });
          onClose();
        },
        onError: (error) => {
          if (error instanceof ApiError) setFieldErrors(error.fields);
          failed(t('backups.restoreForm.failed'), error);
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={t('backups.restoreForm.title', { volid })} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <SegmentedControl
            aria-label={t('backups.restoreForm.target')}
            value={target}
            onChange={(value) => {
              setTarget(value === 'overwrite' ? 'overwrite' : 'new');
            }}
            data={[
              { value: 'new', label: t('backups.restoreForm.asNew') },
              {
                value: 'overwrite',
                label: t('backups.restoreForm.overwrite', { vmid }),
                disabled: backup.vmid === null,
              },
            ]}
          />
          {target === 'new' ? (
            <TextInput
              label={t('backups.restoreForm.name')}
              description={t('backups.restoreForm.nameHint')}
              required
              value={name}
              error={nameError ?? fieldErrors.name}
              onChange={(event) => {
                setName(event.currentTarget.value.trim());
              }}
              data-autofocus
            />
          ) : (
            <>
              <Alert color="red" role="alert">
                {t('backups.restoreForm.overwriteWarning', {
                  vmid,
                  server: backup.server_name ?? vmid,
                  ctime: formatTime(backup.ctime, i18n.language),
                })}
              </Alert>
              <Checkbox
                label={t('backups.restoreForm.confirmOverwrite', { vmid })}
                checked={confirmed}
                error={fieldErrors.overwrite}
                onChange={(event) => {
                  setConfirmed(event.currentTarget.checked);
                }}
              />
            </>
          )}
          <Select
            label={t('backups.restoreForm.storage')}
            placeholder={t('backups.restoreForm.storageDefault')}
            data={imageStores}
            value={storage}
            clearable
            error={fieldErrors.storage}
            onChange={setStorage}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              color={target === 'overwrite' ? 'red' : undefined}
              loading={restore.isPending}
              disabled={target === 'new' ? name === '' || nameError !== undefined : !confirmed}
            >
              {t('backups.restoreForm.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const MODES = ['snapshot', 'suspend', 'stop'] as const;
const COMPRESSIONS = ['zstd', 'lzo', 'gzip', 'none'] as const;

/** Backs one server up (`server` given) or the one chosen from `servers`. */
export function RunBackupModal({
  server,
  servers = [],
  onClose,
}: {
  server: string | null;
  servers?: readonly string[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const run = useRunBackup();
  const navigate = useNavigate();
  const datastores = useQuery(datastoresQueryOptions);
  const [chosen, setChosen] = useState<string | null>(server);
  const [storage, setStorage] = useState<string | null>(null);
  const [mode, setMode] = useState<RunBackupBody['mode']>('snapshot');
  const [compress, setCompress] = useState<RunBackupBody['compress']>('zstd');
  const [notes, setNotes] = useState('');
  const [protect, setProtect] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const backupStores = (datastores.data?.datastores ?? [])
    .filter((store) => store.content.includes('backup'))
    .map((store) => store.id)
    .filter((id, index, all) => all.indexOf(id) === index);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (chosen === null) return;
    run.mutate(
      {
        server: chosen,
        body: {
          ...(storage !== null ? { storage } : {}),
          mode,
          compress,
          ...(notes !== '' ? { notes } : {}),
          protected: protect,
        },
      },
      {
        onSuccess: (accepted) => {
          notifications.show({
            color: 'teal',
            icon: <IconCheck size={18} />,
            message: taskMessage(navigate, accepted.task_id, t('backups.run.started', { server: chosen })),
          });
          onClose();
        },
        onError: (error) => {
          if (error instanceof ApiError) setFieldErrors(error.fields);
          failed(t('backups.run.failed'), error);
        },
      },
    );
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={server !== null ? t('backups.run.title', { server }) : t('backups.run.pickTitle')}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {server === null ? (
            <Select
              label={t('backups.run.server')}
              data={[...servers]}
              value={chosen}
              onChange={setChosen}
              searchable
              required
              data-autofocus
            />
          ) : null}
          <Select
            label={t('backups.run.storage')}
            placeholder={t('backups.run.storageDefault')}
            data={backupStores}
            value={storage}
            clearable
            error={fieldErrors.storage}
            onChange={setStorage}
          />
          <Group grow>
            <Select
              label={t('backups.run.mode')}
              data={[...MODES]}
              value={mode ?? 'snapshot'}
              allowDeselect={false}
              onChange={(value) => {
                setMode((value ?? 'snapshot') as RunBackupBody['mode']);
              }}
            />
            <Select
              label={t('backups.run.compress')}
              data={[...COMPRESSIONS]}
              value={compress ?? 'zstd'}
              allowDeselect={false}
              onChange={(value) => {
                setCompress((value ?? 'zstd') as RunBackupBody['compress']);
              }}
            />
          </Group>
          <Textarea
            label={t('backups.run.notes')}
            value={notes}
            maxLength={1024}
            error={fieldErrors.notes}
            onChange={(event) => {
              setNotes(event.currentTarget.value);
            }}
          />
          <Checkbox
            label={t('backups.run.protected')}
            checked={protect}
            onChange={(event) => {
              setProtect(event.currentTarget.checked);
            }}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={run.isPending} disabled={chosen === null}>
              {t('backups.run.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The backups as a table; with manage_backups, protect, restore and delete on each row. */
export function BackupTable({
  backups,
  showServer = true,
}: {
  backups: readonly Backup[];
  showServer?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const protect = useProtectBackup();
  const confirmDelete = useConfirmDelete();
  const [restoring, setRestoring] = useState<Backup | null>(null);

  const toggleProtection = (backup: Backup) => {
    const volid = fileName(backup.volid);
    protect.mutate(
      { node: backup.node, volid: backup.volid, protected: !backup.protected },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            icon: <IconCheck size={18} />,
            message: t(backup.protected ? 'backups.unprotectedDone' : 'backups.protectedDone', { volid }),
          });
        },
        onError: (error) => {
          failed(t('backups.actionFailed'), error);
        },
      },
    );
  };

  return (
    <>
      <Table.ScrollContainer minWidth={800}>
        <Table verticalSpacing="sm" highlightOnHover aria-label={t('backups.table.label')}>
          <Table.Thead>
            <Table.Tr>
              {showServer ? <Table.Th>{t('backups.table.server')}</Table.Th> : null}
              <Table.Th>{t('backups.table.created')}</Table.Th>
              <Table.Th>{t('backups.table.node')}</Table.Th>
              <Table.Th>{t('backups.table.storage')}</Table.Th>
              <Table.Th>{t('backups.table.size')}</Table.Th>
              <Table.Th>{t('backups.table.notes')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('backups.table.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {backups.map((backup) => {
              const volid = fileName(backup.volid);
              return (
                <Table.Tr key={`${backup.node}:${backup.volid}`}>
                  {showServer ? (
                    <Table.Th scope="row">
                      {backup.server_name !== null ? (
                        <Anchor component={Link} to={`/servers/${backup.server_name}?tab=backups`}>
                          {backup.server_name}
                        </Anchor>
                      ) : (
                        t('backups.table.unknownServer', { vmid: String(backup.vmid ?? '?') })
                      )}
                    </Table.Th>
                  ) : null}
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm">{formatTime(backup.ctime, i18n.language)}</Text>
                      {backup.protected ? (
                        <Badge size="sm" color="grape" variant="light">
                          {t('backups.table.protected')}
                        </Badge>
                      ) : null}
                    </Group>
                    <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
                      {volid}
                    </Text>
                  </Table.Td>
                  <Table.Td>{backup.node}</Table.Td>
                  <Table.Td>{backup.storage}</Table.Td>
                  <Table.Td>{formatBytes(backup.size_bytes)}</Table.Td>
                  <Table.Td maw={240}>
                    <Text size="sm" lineClamp={2}>
                      {backup.notes ?? ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Can permission="manage_backups">
                      <Group gap={4} wrap="nowrap">
                        <Tooltip
                          label={t(backup.protected ? 'backups.unprotect' : 'backups.protect', { volid })}
                        >
                          <ActionIcon
                            variant="subtle"
                            aria-label={t(backup.protected ? 'backups.unprotect' : 'backups.protect', {
                              volid,
                            })}
                            onClick={() => {
                              toggleProtection(backup);
                            }}
                          >
                            {backup.protected ? <IconLock size={18} /> : <IconLockOpen size={18} />}
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('backups.restore', { volid })}>
                          <ActionIcon
                            variant="subtle"
                            aria-label={t('backups.restore', { volid })}
                            onClick={() => {
                              setRestoring(backup);
                            }}
                          >
                            <IconHistory size={18} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('backups.delete', { volid })}>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            disabled={backup.protected}
                            aria-label={t('backups.delete', { volid })}
                            onClick={() => {
                              confirmDelete(backup);
                            }}
                          >
                            <IconTrash size={18} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    </Can>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {restoring !== null ? (
        <RestoreModal
          backup={restoring}
          onClose={() => {
            setRestoring(null);
          }}
        />
      ) : null}
    </>
  );
}
