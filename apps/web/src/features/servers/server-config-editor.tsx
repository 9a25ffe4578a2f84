import {
  Alert,
  Autocomplete,
  Button,
  Card,
  Group,
  NumberInput,
  SimpleGrid,
  Skeleton,
  Stack,
  TagsInput,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../lib/api';
import {
  serverConfigQueryOptions,
  useUpdateServerConfig,
  type ServerConfig,
  type ServerConfigUpdate,
} from './servers.queries';

/** The tag Proxdeck puts on the VMs it manages: it always stays. */
export const PROXDECK_TAG = 'proxdeck';

/** A few CPU types to pick from; any type Proxmox knows (or custom-<name>) may be typed. */
const CPU_TYPES = ['host', 'x86-64-v2-AES', 'x86-64-v3', 'x86-64-v4', 'kvm64', 'qemu64', 'max'];

/** The form's fields, by the name the API's 400 gives them (`details.fields`). */
type FieldName =
  'cpu.cores' | 'cpu.sockets' | 'cpu.type' | 'memory.size_mb' | 'memory.balloon_mb' | 'description' | 'tags';

/** Each field's Proxmox option, as `pending` names it. */
const PENDING_KEY: Record<FieldName, string> = {
  'cpu.cores': 'cores',
  'cpu.sockets': 'sockets',
  'cpu.type': 'cpu',
  'memory.size_mb': 'memory',
  'memory.balloon_mb': 'balloon',
  description: 'description',
  tags: 'tags',
};

interface FormValues {
  cores: number | string;
  sockets: number | string;
  type: string;
  size_mb: number | string;
  balloon_mb: number | string;
  description: string;
  tags: string[];
}

/** A pending value as the form shows it: the CPU type before its flags, memory in MB. */
function pendingValue(config: ServerConfig, key: string): string | undefined {
  const change = config.pending[key];
  if (!change || change.delete || change.pending === null) return undefined;
  if (key === 'cpu') return change.pending.split(',')[0]?.replace(/^cputype=/, '');
  return change.pending;
}

/** The values the server will run with: what waits for a restart, else what it runs with now. */
function initialValues(config: ServerConfig): FormValues {
  const number = (key: string, now: number) => {
    const pending = Number.parseInt(pendingValue(config, key) ?? '', 10);
    return Number.isFinite(pending) ? pending : now;
  };
  return {
    cores: number('cores', config.cpu.cores),
    sockets: number('sockets', config.cpu.sockets),
    type: pendingValue(config, 'cpu') ?? config.cpu.type,
    size_mb: number('memory', config.memory.size_mb),
    balloon_mb: number('balloon', config.memory.balloon_mb),
    description: config.description,
    tags: config.tags,
  };
}

/** Only what changed, with the digest read. */
function changes(from: FormValues, to: FormValues, digest: string): ServerConfigUpdate | null {
  const body: ServerConfigUpdate = { digest };
  const cpu: NonNullable<ServerConfigUpdate['cpu']> = {};
  const memory: NonNullable<ServerConfigUpdate['memory']> = {};
  if (Number(to.cores) !== Number(from.cores)) cpu.cores = Number(to.cores);
  if (Number(to.sockets) !== Number(from.sockets)) cpu.sockets = Number(to.sockets);
  if (to.type.trim() !== from.type) cpu.type = to.type.trim();
  if (Number(to.size_mb) !== Number(from.size_mb)) memory.size_mb = Number(to.size_mb);
  if (Number(to.balloon_mb) !== Number(from.balloon_mb)) memory.balloon_mb = Number(to.balloon_mb);
  if (Object.keys(cpu).length > 0) body.cpu = cpu;
  if (Object.keys(memory).length > 0) body.memory = memory;
  if (to.description !== from.description) body.description = to.description;
  if (to.tags.join(';') !== from.tags.join(';')) body.tags = to.tags;
  return Object.keys(body).length > 1 ? body : null;
}

/** The yellow mark and the "after the restart" line of a field whose change waits for a restart. */
function usePendingMark(config: ServerConfig) {
  const { t } = useTranslation();
  return (field: FieldName) => {
    const change = config.pending[PENDING_KEY[field]];
    if (!change) return {};
    return {
      'data-pending': 'true',
      description: change.delete
        ? t('servers.config.pendingRemoved', { current: change.current ?? t('servers.none') })
        : t('servers.config.pendingValue', {
            pending: change.pending ?? t('servers.none'),
            current: change.current ?? t('servers.none'),
          }),
      styles: {
        input: { borderColor: 'var(--mantine-color-yellow-6)', borderWidth: 2 },
        description: { color: 'var(--mantine-color-yellow-8)', fontWeight: 600 },
      },
    };
  };
}

/** What waits for a restart, and the button that applies it (a reboot). */
function PendingChanges({
  config,
  canRestart,
  restartBusy,
  onRestart,
}: {
  config: ServerConfig;
  canRestart: boolean;
  restartBusy: boolean;
  onRestart: () => void;
}) {
  const { t } = useTranslation();
  const entries = Object.entries(config.pending);
  if (!config.restart_required || entries.length === 0) return null;
  return (
    <Alert
      color="yellow"
      icon={<IconAlertTriangle size={18} />}
      title={t('servers.config.pendingTitle')}
      data-testid="pending-changes"
    >
      <Stack gap="xs">
        <Text size="sm">{t('servers.config.pendingBody')}</Text>
        <Stack gap={2} component="ul" m={0} pl="md">
          {entries.map(([key, change]) => (
            <Text size="sm" key={key} component="li">
              <Text span fw={600}>
                {key}
              </Text>
              {': '}
              {change.delete
                ? t('servers.config.pendingRemoved', { current: change.current ?? t('servers.none') })
                : t('servers.config.pendingValue', {
                    pending: change.pending ?? t('servers.none'),
                    current: change.current ?? t('servers.none'),
                  })}
            </Text>
          ))}
        </Stack>
        {canRestart ? (
          <Button
            w="fit-content"
            color="yellow"
            leftSection={<IconRefresh size={16} />}
            loading={restartBusy}
            onClick={onRestart}
          >
            {t('servers.config.restartToApply')}
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}

function ConfigForm({
  name,
  config,
  canEdit,
  onReload,
}: {
  name: string;
  config: ServerConfig;
  canEdit: boolean;
  onReload: () => void;
}) {
  const { t } = useTranslation();
  const initial = initialValues(config);
  const [values, setValues] = useState<FormValues>(initial);
  const [localError, setLocalError] = useState<string | null>(null);
  const update = useUpdateServerConfig(name);
  const pending = usePendingMark(config);
  const error = update.error instanceof ApiError ? update.error : null;
  const stale = error?.status === 409 && error.details.reason === 'stale_digest';
  const fieldError = (field: FieldName) => error?.fields[field];
  const set =
    <K extends keyof FormValues>(key: K) =>
    (value: FormValues[K]) => {
      setValues((previous) => ({ ...previous, [key]: value }));
    };

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const body = changes(initial, values, config.digest);
    setLocalError(body ? null : t('servers.config.unchanged'));
    if (!body) return;
    update.mutate(body, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: t('servers.config.saved') });
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t('servers.config.title')}>
      <Stack gap="md">
        {stale ? (
          <Alert color="orange" icon={<IconAlertCircle size={18} />} data-testid="stale-digest">
            <Group justify="space-between" gap="sm">
              <Text size="sm">{t('servers.config.stale')}</Text>
              <Button size="compact-sm" variant="light" color="orange" onClick={onReload}>
                {t('servers.config.reload')}
              </Button>
            </Group>
          </Alert>
        ) : error && Object.keys(error.fields).length > 0 ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />}>
            {t('servers.config.fixErrors')}
          </Alert>
        ) : update.isError ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />}>
            {t('servers.config.failed', { error: update.error.message })}
          </Alert>
        ) : null}
        <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack gap="md">
            <Title order={3} size="h5">
              {t('servers.config.cpu')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput
                label={t('servers.config.cores')}
                min={1}
                max={128}
                value={values.cores}
                onChange={set('cores')}
                error={fieldError('cpu.cores')}
                {...pending('cpu.cores')}
              />
              <NumberInput
                label={t('servers.config.sockets')}
                min={1}
                max={4}
                value={values.sockets}
                onChange={set('sockets')}
                error={fieldError('cpu.sockets')}
                {...pending('cpu.sockets')}
              />
              <Autocomplete
                label={t('servers.config.cpuType')}
                data={CPU_TYPES}
                value={values.type}
                onChange={set('type')}
                error={fieldError('cpu.type')}
                {...pending('cpu.type')}
              />
            </SimpleGrid>
            <Title order={3} size="h5">
              {t('servers.config.memory')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberInput
                label={t('servers.config.sizeMb')}
                min={16}
                step={512}
                value={values.size_mb}
                onChange={set('size_mb')}
                error={fieldError('memory.size_mb')}
                {...pending('memory.size_mb')}
              />
              <NumberInput
                label={t('servers.config.balloonMb')}
                min={0}
                step={512}
                value={values.balloon_mb}
                onChange={set('balloon_mb')}
                error={fieldError('memory.balloon_mb')}
                description={t('servers.config.balloonHint')}
                {...pending('memory.balloon_mb')}
              />
            </SimpleGrid>
            <TagsInput
              label={t('servers.config.tags')}
              description={t('servers.config.tagsHint')}
              value={values.tags}
              onChange={(tags) => {
                const lower = tags.map((tag) => tag.toLowerCase());
                // The proxdeck tag cannot be taken off: it comes back first.
                set('tags')(
                  initial.tags.includes(PROXDECK_TAG) && !lower.includes(PROXDECK_TAG)
                    ? [PROXDECK_TAG, ...lower]
                    : lower,
                );
              }}
              error={fieldError('tags')}
            />
            <Textarea
              label={t('servers.config.notes')}
              autosize
              minRows={2}
              maxRows={8}
              value={values.description}
              onChange={(event) => {
                set('description')(event.currentTarget.value);
              }}
              error={fieldError('description')}
            />
          </Stack>
        </fieldset>
        {localError ? (
          <Text size="sm" c="dimmed" role="status">
            {localError}
          </Text>
        ) : null}
        {canEdit ? (
          <Group gap="sm">
            <Button type="submit" loading={update.isPending}>
              {t('servers.config.save')}
            </Button>
            <Button
              variant="subtle"
              onClick={() => {
                setValues(initial);
                setLocalError(null);
                update.reset();
              }}
            >
              {t('servers.config.reset')}
            </Button>
          </Group>
        ) : null}
      </Stack>
    </form>
  );
}

/**
 * The configuration editor (GET/PUT /api/server/config/{name}): CPU, memory, tags and notes, sent with the
 * digest read. Changes waiting for a restart are marked, with "restart to apply"; a change someone made in
 * between (409 stale digest) is explained, with a reload; the API's refusals show on their fields.
 */
export function ServerConfigEditor({
  name,
  canEdit,
  restartBusy,
  onRestart,
}: {
  name: string;
  canEdit: boolean;
  restartBusy: boolean;
  onRestart: () => void;
}) {
  const { t } = useTranslation();
  const config = useQuery(serverConfigQueryOptions(name));
  return (
    <Card withBorder padding="lg" radius="md" data-testid="server-config">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={2} size="h4">
            {t('servers.config.title')}
          </Title>
          <Text size="xs" c="dimmed">
            {t('servers.config.hint')}
          </Text>
        </div>
        <Button
          variant="subtle"
          size="compact-sm"
          leftSection={<IconRefresh size={14} />}
          loading={config.isFetching}
          onClick={() => void config.refetch()}
        >
          {t('servers.config.reload')}
        </Button>
      </Group>
      {config.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('servers.config.loadError', { error: config.error.message })}
        </Alert>
      ) : config.data ? (
        <Stack gap="md">
          <PendingChanges
            config={config.data}
            canRestart={canEdit}
            restartBusy={restartBusy}
            onRestart={onRestart}
          />
          {config.data.protection ? (
            <Text size="sm" c="dimmed">
              {t('servers.config.protection')}
            </Text>
          ) : null}
          {config.data.lock ? (
            <Text size="sm" c="orange">
              {t('servers.config.lock', { lock: config.data.lock })}
            </Text>
          ) : null}
          {/* A new read (another digest) starts the form again from what Proxmox holds. */}
          <ConfigForm
            key={config.data.digest}
            name={name}
            config={config.data}
            canEdit={canEdit}
            onReload={() => void config.refetch()}
          />
        </Stack>
      ) : (
        <Skeleton h={280} radius="md" />
      )}
    </Card>
  );
}
