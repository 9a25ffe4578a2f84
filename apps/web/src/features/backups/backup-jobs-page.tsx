import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue, useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconArchive, IconCheck, IconPencil, IconPlayerPlay, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { TFunction } from 'i18next';
import { QueryState } from '../../components/query-state';
import { ApiError } from '../../lib/api';
import { Can, usePermission } from '../../lib/permissions';
import { datastoresQueryOptions } from '../datastores/datastores.queries';
import { serverListQueryOptions } from '../servers/servers.queries';
import { formatTime, taskMessage } from './backup-table';
import {
  backupJobsQueryOptions,
  jobBody,
  notCoveredQueryOptions,
  schedulePreviewQueryOptions,
  useDeleteBackupJob,
  useRunBackupJob,
  useSaveBackupJob,
  type BackupJob,
  type BackupJobBody,
} from './backups.queries';

const KEEPS = ['keep_last', 'keep_daily', 'keep_weekly', 'keep_monthly'] as const;
const MODES = ['snapshot', 'suspend', 'stop'] as const;
const COMPRESSIONS = ['zstd', 'lzo', 'gzip', 'none'] as const;

function selectionText(job: Pick<BackupJob, 'selection'>, t: TFunction): string {
  const { vmids, tag, pool } = job.selection;
  if (tag !== undefined) return t('backupJobs.selection.tag', { tag });
  if (pool !== undefined) return t('backupJobs.selection.pool', { pool });
  return t('backupJobs.selection.vmids', { list: (vmids ?? []).join(', ') });
}

function retentionText(job: Pick<BackupJob, 'prune'>, t: TFunction): string {
  const parts = KEEPS.filter((key) => (job.prune[key] ?? 0) > 0).map((key) =>
    t(`backupJobs.retention.${key}`, { n: String(job.prune[key] ?? 0) }),
  );
  return parts.length > 0 ? parts.join(', ') : t('backupJobs.retention.all');
}

function failed(title: string, error: Error) {
  notifications.show({ color: 'red', title, message: error.message });
}

/**
 * The next runs of what is typed, as the server computes them on the nodes' wall clock and shown in their time
 * zone (its 400 message when Proxmox would refuse it).
 */
function SchedulePreview({ schedule }: { schedule: string }) {
  const { t, i18n } = useTranslation();
  const [debounced] = useDebouncedValue(schedule.trim(), 300);
  const preview = useQuery(schedulePreviewQueryOptions(debounced));
  if (debounced === '') return null;
  if (preview.isError)
    return (
      <Text size="sm" c="red" role="alert">
        {preview.error instanceof ApiError
          ? (preview.error.fields.schedule ?? preview.error.message)
          : t('backupJobs.form.previewFailed')}
      </Text>
    );
  if (!preview.data) return null;
  return (
    <Stack gap={4} aria-live="polite">
      <Text size="sm" fw={500}>
        {t('backupJobs.form.nextRuns', { zone: preview.data.time_zone })}
      </Text>
      <List size="sm" spacing={2}>
        {preview.data.next_runs.map((run) => (
          <List.Item key={run}>
            {new Intl.DateTimeFormat(i18n.language, {
              weekday: 'short',
              dateStyle: undefined,
              year: 'numeric',
              month: 'short',
              day: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
              timeZone: preview.data.time_zone,
              timeZoneName: 'short',
            }).format(new Date(run))}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}

type Kind = 'vmids' | 'tag' | 'pool';

/** Creates a job (`job` null) or changes one; the server's field messages are shown under each field. */
function JobForm({ job, onClose }: { job: BackupJob | null; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveBackupJob();
  const datastores = useQuery(datastoresQueryOptions);
  const servers = useQuery(serverListQueryOptions({ per_page: 200 }));
  const initial: BackupJobBody =
    job !== null
      ? jobBody(job)
      : {
          schedule: '02:00',
          enabled: true,
          selection: { vmids: [] },
          storage: '',
          mode: 'snapshot',
          compress: 'zstd',
          prune: { keep_daily: 7, keep_weekly: 4 },
        };
  const [body, setBody] = useState<BackupJobBody>(initial);
  const [kind, setKind] = useState<Kind>(
    initial.selection.tag !== undefined ? 'tag' : initial.selection.pool !== undefined ? 'pool' : 'vmids',
  );
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const backupStores = (datastores.data?.datastores ?? [])
    .filter((store) => store.content.includes('backup'))
    .map((store) => store.id)
    .filter((id, index, all) => all.indexOf(id) === index);
  const serverChoices = (servers.data?.items ?? [])
    .filter((server) => server.vmid !== null)
    .map((server) => ({ value: String(server.vmid), label: `${server.name} (${String(server.vmid)})` }));
  const set = (patch: Partial<BackupJobBody>) => {
    setBody((previous) => ({ ...previous, ...patch }));
  };

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const selection =
      kind === 'vmids'
        ? { vmids: body.selection.vmids ?? [] }
        : kind === 'tag'
          ? { tag: body.selection.tag ?? '' }
          : { pool: body.selection.pool ?? '' };
    const prune = Object.fromEntries(
      KEEPS.filter((key) => (body.prune?.[key] ?? 0) > 0).map((key) => [key, body.prune?.[key]]),
    );
    save.mutate(
      { id: job?.id ?? null, body: { ...body, selection, prune } },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            icon: <IconCheck size={18} />,
            message: t('backupJobs.saved'),
          });
          onClose();
        },
        onError: (error) => {
          if (error instanceof ApiError) setFieldErrors(error.fields);
          failed(t('backupJobs.saveFailed'), error);
        },
      },
    );
  };

  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={job === null ? t('backupJobs.form.createTitle') : t('backupJobs.form.editTitle', { id: job.id })}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label={t('backupJobs.form.schedule')}
            description={t('backupJobs.form.scheduleHint')}
            required
            value={body.schedule}
            error={fieldErrors.schedule}
            onChange={(event) => {
              set({ schedule: event.currentTarget.value });
            }}
            data-autofocus
          />
          <SchedulePreview schedule={body.schedule} />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="job-selection-kind">
              {t('backupJobs.form.selectionKind')}
            </Text>
            <SegmentedControl
              aria-labelledby="job-selection-kind"
              value={kind}
              onChange={(value) => {
                setKind(value as Kind);
              }}
              data={[
                { value: 'vmids', label: t('backupJobs.form.kindVmids') },
                { value: 'tag', label: t('backupJobs.form.kindTag') },
                { value: 'pool', label: t('backupJobs.form.kindPool') },
              ]}
            />
          </Stack>
          {kind === 'vmids' ? (
            <MultiSelect
              label={t('backupJobs.form.servers')}
              data={serverChoices}
              searchable
              value={(body.selection.vmids ?? []).map(String)}
              error={fieldErrors.selection ?? fieldErrors['selection.vmids']}
              onChange={(values) => {
                set({ selection: { vmids: values.map(Number) } });
              }}
            />
          ) : kind === 'tag' ? (
            <TextInput
              label={t('backupJobs.form.tag')}
              value={body.selection.tag ?? ''}
              error={fieldErrors['selection.tag'] ?? fieldErrors.selection}
              onChange={(event) => {
                set({ selection: { tag: event.currentTarget.value.trim() } });
              }}
            />
          ) : (
            <TextInput
              label={t('backupJobs.form.pool')}
              value={body.selection.pool ?? ''}
              error={fieldErrors['selection.pool'] ?? fieldErrors.selection}
              onChange={(event) => {
                set({ selection: { pool: event.currentTarget.value.trim() } });
              }}
            />
          )}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label={t('backupJobs.form.storage')}
              data={backupStores}
              value={body.storage === '' ? null : body.storage}
              required
              error={fieldErrors.storage}
              onChange={(value) => {
                set({ storage: value ?? '' });
              }}
            />
            <Select
              label={t('backupJobs.form.mode')}
              data={[...MODES]}
              value={body.mode ?? 'snapshot'}
              allowDeselect={false}
              onChange={(value) => {
                set({ mode: (value ?? 'snapshot') as BackupJobBody['mode'] });
              }}
            />
            <Select
              label={t('backupJobs.form.compress')}
              data={[...COMPRESSIONS]}
              value={body.compress ?? 'zstd'}
              allowDeselect={false}
              onChange={(value) => {
                set({ compress: (value ?? 'zstd') as BackupJobBody['compress'] });
              }}
            />
          </SimpleGrid>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('backupJobs.form.retention')}
            </Text>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              {KEEPS.map((key) => (
                <NumberInput
                  key={key}
                  label={t(`backupJobs.form.${key}`)}
                  min={0}
                  max={10000}
                  allowDecimal={false}
                  value={body.prune?.[key] ?? ''}
                  error={fieldErrors[`prune.${key}`]}
                  onChange={(value) => {
                    set({ prune: { ...body.prune, [key]: typeof value === 'number' ? value : undefined } });
                  }}
                />
              ))}
            </SimpleGrid>
          </Stack>
          <TextInput
            label={t('backupJobs.form.notes')}
            description={t('backupJobs.form.notesHint', {
              placeholders: '{{guestname}}, {{vmid}}, {{node}}, {{cluster}}',
              interpolation: { escapeValue: false },
            })}
            value={body.notes_template ?? ''}
            maxLength={1024}
            error={fieldErrors.notes_template}
            onChange={(event) => {
              set({ notes_template: event.currentTarget.value });
            }}
          />
          <Switch
            label={t('backupJobs.form.enabled')}
            checked={body.enabled ?? true}
            onChange={(event) => {
              set({ enabled: event.currentTarget.checked });
            }}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('backupJobs.form.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function JobRow({ job, onEdit }: { job: BackupJob; onEdit: () => void }) {
  const { t, i18n } = useTranslation();
  const manage = usePermission('manage_backups');
  const save = useSaveBackupJob();
  const run = useRunBackupJob();
  const navigate = useNavigate();
  const remove = useDeleteBackupJob();

  const confirmDelete = () => {
    modals.openConfirmModal({
      title: t('backupJobs.confirmDelete.title', { id: job.id }),
      children: (
        <Text size="sm">
          {t('backupJobs.confirmDelete.body', { schedule: job.schedule, selection: selectionText(job, t) })}
        </Text>
      ),
      labels: { confirm: t('backupJobs.confirmDelete.confirm'), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(job.id, {
          onSuccess: () => {
            notifications.show({
              color: 'teal',
              icon: <IconCheck size={18} />,
              message: t('backupJobs.confirmDelete.done', { id: job.id }),
            });
          },
          onError: (error) => {
            failed(t('backupJobs.confirmDelete.failed', { id: job.id }), error);
          },
        });
      },
    });
  };

  return (
    <Table.Tr>
      <Table.Th scope="row">
        <Text size="sm" ff="monospace">
          {job.schedule}
        </Text>
        <Text size="xs" c="dimmed">
          {job.id}
        </Text>
      </Table.Th>
      <Table.Td>
        <Text size="sm">{selectionText(job, t)}</Text>
        {job.selection_stale ? (
          <Text size="xs" c="orange">
            {t('backupJobs.selection.stale')}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>{job.storage ?? '—'}</Table.Td>
      <Table.Td>{retentionText(job, t)}</Table.Td>
      <Table.Td>{job.enabled ? formatTime(job.next_run, i18n.language) : t('backupJobs.disabled')}</Table.Td>
      <Table.Td>
        {job.last_run === null ? (
          t('backupJobs.never')
        ) : (
          <Stack gap={2}>
            <Group gap={6} wrap="nowrap">
              <Badge
                size="sm"
                variant="light"
                color={
                  job.last_run.status === 'completed'
                    ? 'teal'
                    : job.last_run.status === 'failed'
                      ? 'red'
                      : 'blue'
                }
              >
                {t(`backupJobs.lastRunStatus.${job.last_run.status}`)}
              </Badge>
              {job.last_run.task_id !== null ? (
                <Anchor component={Link} to={`/tasks/${job.last_run.task_id}`} size="sm">
                  {formatTime(job.last_run.at, i18n.language)}
                </Anchor>
              ) : (
                <Text size="sm">{formatTime(job.last_run.at, i18n.language)}</Text>
              )}
            </Group>
            {job.last_run.error !== null ? (
              <Text size="xs" c="red">
                {job.last_run.error}
              </Text>
            ) : null}
          </Stack>
        )}
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={t('backupJobs.enable', { id: job.id })}
          checked={job.enabled}
          disabled={!manage || save.isPending}
          onChange={(event) => {
            save.mutate(
              { id: job.id, body: { ...jobBody(job), enabled: event.currentTarget.checked } },
              {
                onError: (error) => {
                  failed(t('backupJobs.saveFailed'), error);
                },
              },
            );
          }}
        />
      </Table.Td>
      <Table.Td>
        <Can permission="manage_backups">
          <Group gap={4} wrap="nowrap">
            <Tooltip label={t('backupJobs.runNow', { id: job.id })}>
              <ActionIcon
                variant="subtle"
                aria-label={t('backupJobs.runNow', { id: job.id })}
                loading={run.isPending}
                onClick={() => {
                  run.mutate(job.id, {
                    onSuccess: (accepted) => {
                      notifications.show({
                        color: 'teal',
                        icon: <IconCheck size={18} />,
                        message: taskMessage(
                          navigate,
                          accepted.task_id,
                          t('backupJobs.runStarted', { id: job.id }),
                        ),
                      });
                    },
                    onError: (error) => {
                      failed(t('backups.actionFailed'), error);
                    },
                  });
                }}
              >
                <IconPlayerPlay size={18} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t('backupJobs.edit', { id: job.id })}>
              <ActionIcon variant="subtle" aria-label={t('backupJobs.edit', { id: job.id })} onClick={onEdit}>
                <IconPencil size={18} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t('backupJobs.delete', { id: job.id })}>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('backupJobs.delete', { id: job.id })}
                onClick={confirmDelete}
              >
                <IconTrash size={18} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Can>
      </Table.Td>
    </Table.Tr>
  );
}

function NotCovered() {
  const { t } = useTranslation();
  const notCovered = useQuery(notCoveredQueryOptions);
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('backupJobs.notCovered.title')}
        </Title>
        {notCovered.isError ? (
          <Alert color="red" role="alert" title={t('backupJobs.notCovered.loadFailed')}>
            {notCovered.error.message}
          </Alert>
        ) : notCovered.isPending ? (
          <Skeleton h={40} aria-busy="true" />
        ) : notCovered.data.length === 0 ? (
          <Text c="dimmed">{t('backupJobs.notCovered.empty')}</Text>
        ) : (
          <Group gap="xs" aria-label={t('backupJobs.notCovered.title')} role="list">
            {notCovered.data.map((entry) => (
              <Badge key={entry.vmid} variant="outline" size="lg" role="listitem" tt="none">
                {entry.server_name !== null ? (
                  <Anchor component={Link} to={`/servers/${entry.server_name}?tab=backups`} size="sm">
                    {entry.server_name}
                  </Anchor>
                ) : (
                  `${entry.vm_name ?? ''} ${t('backupJobs.notCovered.vm', { vmid: String(entry.vmid) })}`.trim()
                )}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** Proxmox backup jobs: their next runs and last results, run now, create, edit, enable, delete; coverage. */
export function BackupJobsPage() {
  const { t } = useTranslation();
  const jobs = useQuery(backupJobsQueryOptions);
  const [editing, setEditing] = useState<BackupJob | 'new' | null>(null);
  useDocumentTitle(`${t('backupJobs.title')} · ${t('app.name')}`);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('backupJobs.title')}
          </Title>
          <Text c="dimmed">{t('backupJobs.description')}</Text>
        </div>
        <Group gap="sm">
          <Button component={Link} to="/backups" variant="default" leftSection={<IconArchive size={16} />}>
            {t('backupJobs.backupsLink')}
          </Button>
          <Can permission="manage_backups">
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => {
                setEditing('new');
              }}
            >
              {t('backupJobs.add')}
            </Button>
          </Can>
        </Group>
      </Group>

      <QueryState
        query={jobs}
        errorTitle={t('backupJobs.loadFailed')}
        rows={2}
        rowHeight={56}
        isEmpty={(data) => data.length === 0}
        empty={t('backupJobs.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={980}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t('backupJobs.table.label')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('backupJobs.table.schedule')}</Table.Th>
                    <Table.Th>{t('backupJobs.table.selection')}</Table.Th>
                    <Table.Th>{t('backupJobs.table.storage')}</Table.Th>
                    <Table.Th>{t('backupJobs.table.retention')}</Table.Th>
                    <Table.Th>{t('backupJobs.table.nextRun')}</Table.Th>
                    <Table.Th>{t('backupJobs.table.lastRun')}</Table.Th>
                    <Table.Th>{t('backupJobs.table.enabled')}</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>{t('backupJobs.table.actions')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((job) => (
                    <JobRow
                      key={job.id}
                      job={job}
                      onEdit={() => {
                        setEditing(job);
                      }}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>

      <NotCovered />

      {editing !== null ? (
        <JobForm
          job={editing === 'new' ? null : editing}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
    </Stack>
  );
}
