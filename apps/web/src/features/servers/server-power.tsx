import { Alert, Button, Checkbox, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import {
  IconPlayerPlay,
  IconPlayerStop,
  IconRefresh,
  IconTrash,
  type Icon as TablerIcon,
} from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import type { TFunction } from 'i18next';
import { useCallback, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { queryKeys } from '../../lib/query-keys';
import { ActionProgress } from './action-progress';
import {
  taskQueryOptions,
  usePowerAction,
  type PowerAction,
  type PowerOptions,
  type Server,
  type ServerStatus,
  type Task,
} from './servers.queries';

/** The status each action leads to, shown on its button. */
const LEADS_TO: Record<Exclude<PowerAction, 'delete'>, ServerStatus> = {
  start: 'running',
  stop: 'stopped',
  reboot: 'running',
};

/** Whether an action makes sense from a status (the API stays the authority: it answers every case). */
export function actionAllowed(action: PowerAction, status: ServerStatus): boolean {
  switch (action) {
    case 'start':
      return status === 'stopped' || status === 'paused' || status === 'unknown';
    case 'stop':
      return status === 'running' || status === 'paused' || status === 'unknown';
    case 'reboot':
      return status === 'running';
    case 'delete':
      return status !== 'deleting' && status !== 'creating';
  }
}

/**
 * Asks before deleting servers, naming every one destroyed and what goes with it (the VM, its disks, its
 * addresses); `onConfirm` runs only on the explicit confirmation.
 */
export function confirmServerDeletion(names: readonly string[], t: TFunction, onConfirm: () => void): void {
  const one = names.length === 1 ? names[0] : undefined;
  modals.openConfirmModal({
    title: one
      ? t('servers.actions.deleteTitle', { name: one })
      : t('servers.actions.deleteTitleMany', { count: names.length }),
    children: (
      <Stack gap="xs">
        <Text size="sm">{one ? t('servers.actions.deleteBody') : t('servers.actions.deleteBodyMany')}</Text>
        <Text size="sm" fw={600} data-testid="delete-names">
          {t('servers.actions.deleteWhat', { names: names.join(', ') })}
        </Text>
      </Stack>
    ),
    labels: {
      confirm: one
        ? t('servers.actions.deleteConfirm', { name: one })
        : t('servers.actions.deleteConfirmMany', { count: names.length }),
      cancel: t('servers.actions.cancel'),
    },
    confirmProps: { color: 'red' },
    onConfirm,
  });
}

/** What one server's page runs: a power action, as a task followed to its end, and what to refresh then. */
export function useServerPower(name: string, onDeleted: () => void) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const mutation = usePowerAction(name);
  const [current, setCurrent] = useState<{ taskId: string; action: PowerAction } | null>(null);
  const task = useQuery({ ...taskQueryOptions(current?.taskId ?? ''), enabled: current !== null });
  const busy =
    mutation.isPending || (current !== null && !(task.data && isFinalTaskStatus(task.data.status)));

  const run = (action: PowerAction, options?: PowerOptions) => {
    mutation.mutate(
      { action, options },
      {
        onSuccess: (accepted) => {
          setCurrent({ taskId: accepted.task_id, action });
        },
      },
    );
  };
  const onEnd = useCallback(
    (ended: Task) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.servers.detail(name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.servers.config(name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.servers.logsOf(name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.servers.lists() });
      if (current?.action === 'delete' && ended.status === 'completed') onDeleted();
    },
    [current?.action, name, onDeleted, queryClient],
  );
  const progress = current ? (
    <ActionProgress
      key={current.taskId}
      taskId={current.taskId}
      name={name}
      label={t('servers.actions.running', { action: t(`servers.actions.${current.action}`), name })}
      onEnd={onEnd}
    />
  ) : null;
  const error = mutation.isError ? (
    <Alert color="red" data-testid="action-refused">
      {t('servers.actions.refused', { error: mutation.error.message })}
    </Alert>
  ) : null;
  return { run, busy, progress, error };
}

function PowerButton({
  action,
  server,
  busy,
  icon: Icon,
  color,
  onClick,
}: {
  action: PowerAction;
  server: Server;
  busy: boolean;
  icon: TablerIcon;
  color?: string;
  onClick: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Button
      variant={action === 'delete' ? 'light' : 'default'}
      color={color}
      leftSection={<Icon size={16} />}
      disabled={busy || !actionAllowed(action, server.status)}
      onClick={onClick}
    >
      {t(`servers.actions.${action}`)}
      <Text span size="xs" c="dimmed" ml={6}>
        {action === 'delete'
          ? t('servers.actions.leadsTo', { status: t('servers.actions.removed') })
          : t('servers.actions.leadsTo', { status: t(`servers.statuses.${LEADS_TO[action]}`) })}
      </Text>
    </Button>
  );
}

/** The longest shutdown the API accepts (`timeout_s`, StopServerDto and BulkActionDto). */
const MAX_SHUTDOWN_S = 600;

/**
 * The options of a shutdown (a timeout, and whether to power off when the guest has not stopped in time) or
 * of a reboot (whether to reset), as form fields: used for one server and for a bulk action alike. `options`
 * is null while the timeout is not one the API accepts.
 */
export function usePowerOptionFields(action: 'stop' | 'reboot'): {
  fields: ReactNode;
  options: PowerOptions | null;
  force: boolean;
} {
  const { t } = useTranslation();
  const [timeoutInput, setTimeoutInput] = useState<number | string>(60);
  const [force, setForce] = useState(false);
  const seconds = typeof timeoutInput === 'number' ? timeoutInput : Number(timeoutInput);
  const valid = Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_SHUTDOWN_S;
  const forceBox = (
    <Checkbox
      label={t(action === 'stop' ? 'servers.actions.forceOff' : 'servers.actions.forceReset')}
      checked={force}
      onChange={(event) => {
        setForce(event.currentTarget.checked);
      }}
    />
  );
  if (action === 'reboot') return { fields: forceBox, options: { force }, force };
  return {
    fields: (
      <>
        <NumberInput
          label={t('servers.actions.timeout')}
          min={1}
          max={MAX_SHUTDOWN_S}
          value={timeoutInput}
          onChange={setTimeoutInput}
          error={valid ? undefined : t('servers.actions.timeoutRange')}
        />
        {forceBox}
      </>
    ),
    options: valid ? { timeout_s: seconds, force } : null,
    force,
  };
}

/** Shut down with a timeout, or reboot (reset when forced): one server's confirmation with its options. */
function PowerOptionsModal({
  action,
  name,
  opened,
  onClose,
  onConfirm,
}: {
  action: 'stop' | 'reboot';
  name: string;
  opened: boolean;
  onClose: () => void;
  onConfirm: (options: PowerOptions) => void;
}) {
  const { t } = useTranslation();
  const { fields, options, force } = usePowerOptionFields(action);
  return (
    <Modal opened={opened} onClose={onClose} title={t(`servers.actions.${action}Title`, { name })}>
      <Stack gap="sm">
        <Text size="sm">{t(`servers.actions.${action}Body`)}</Text>
        {fields}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('servers.actions.cancel')}
          </Button>
          <Button
            color={force ? 'red' : undefined}
            disabled={options === null}
            onClick={() => {
              if (options) onConfirm(options);
            }}
          >
            {t(`servers.actions.${action}`)}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Start, Shut down, Reboot and Delete, each showing where it leads; the last three ask first. */
export function PowerButtons({
  server,
  busy,
  run,
}: {
  server: Server;
  busy: boolean;
  run: (action: PowerAction, options?: PowerOptions) => void;
}) {
  const { t } = useTranslation();
  const [dialog, setDialog] = useState<'stop' | 'reboot' | null>(null);
  const close = () => {
    setDialog(null);
  };
  return (
    <Group gap="xs" role="group" aria-label={t('servers.actions.label')}>
      <PowerButton
        action="start"
        server={server}
        busy={busy}
        icon={IconPlayerPlay}
        onClick={() => {
          run('start');
        }}
      />
      <PowerButton
        action="stop"
        server={server}
        busy={busy}
        icon={IconPlayerStop}
        onClick={() => {
          setDialog('stop');
        }}
      />
      <PowerButton
        action="reboot"
        server={server}
        busy={busy}
        icon={IconRefresh}
        onClick={() => {
          setDialog('reboot');
        }}
      />
      <PowerButton
        action="delete"
        server={server}
        busy={busy}
        icon={IconTrash}
        color="red"
        onClick={() => {
          confirmServerDeletion([server.name], t, () => {
            run('delete');
          });
        }}
      />
      {dialog === 'stop' || dialog === 'reboot' ? (
        <PowerOptionsModal
          key={dialog}
          action={dialog}
          name={server.name}
          opened
          onClose={close}
          onConfirm={(options) => {
            close();
            run(dialog, options);
          }}
        />
      ) : null}
    </Group>
  );
}
