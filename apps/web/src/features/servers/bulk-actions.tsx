import { ActionIcon, Alert, Button, Group, Loader, Menu, Modal, Stack, Text } from '@mantine/core';
import {
  IconDots,
  IconPlayerPlay,
  IconPlayerStop,
  IconRefresh,
  IconTrash,
  type Icon as TablerIcon,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queryKeys } from '../../lib/query-keys';
import { ActionProgress, outcomeOf } from './action-progress';
import { actionAllowed, confirmServerDeletion, usePowerOptionFields } from './server-power';
import {
  useBulkAction,
  type PowerAction,
  type PowerOptions,
  type Server,
  type Task,
} from './servers.queries';

const ACTIONS: readonly { action: PowerAction; icon: TablerIcon; color?: string }[] = [
  { action: 'start', icon: IconPlayerPlay },
  { action: 'stop', icon: IconPlayerStop },
  { action: 'reboot', icon: IconRefresh },
  { action: 'delete', icon: IconTrash, color: 'red' },
];

/** How a bulk action ended: the servers done, those not, and what each outcome was. */
export interface BulkSummary {
  succeeded: string[];
  failed: { name: string; error: string }[];
  outcomes: Record<string, string>;
}

/** The summary of a finished bulk task (when the API answered 202 and the task was followed). */
export function summaryOfTask(task: Task): BulkSummary {
  const outcomes: Record<string, string> = {};
  for (const item of task.items) {
    const outcome = outcomeOf(task, item.name);
    if (outcome && item.status === 'completed') outcomes[item.name] = outcome;
  }
  return {
    succeeded: task.items.filter((item) => item.status === 'completed').map((item) => item.name),
    failed: task.items
      .filter((item) => item.status !== 'completed')
      .map((item) => ({ name: item.name, error: item.error ?? item.status })),
    outcomes,
  };
}

type BulkState =
  | { phase: 'idle' }
  | { phase: 'sending'; action: PowerAction; names: string[] }
  | { phase: 'following'; action: PowerAction; names: string[]; taskId: string }
  | { phase: 'done'; action: PowerAction; names: string[]; summary: BulkSummary }
  | { phase: 'refused'; action: PowerAction; names: string[]; error: string };

function BulkSummaryView({
  action,
  count,
  summary,
  onDismiss,
}: {
  action: PowerAction;
  count: number;
  summary: BulkSummary;
  onDismiss: () => void;
}) {
  const { t } = useTranslation();
  const failed = summary.failed.length > 0;
  return (
    <Alert
      color={failed ? (summary.succeeded.length > 0 ? 'orange' : 'red') : 'teal'}
      title={t('servers.bulk.summaryTitle', { action: t(`servers.bulk.${action}`), count })}
      withCloseButton
      closeButtonLabel={t('servers.bulk.dismiss')}
      onClose={onDismiss}
      data-testid="bulk-summary"
    >
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          {t('servers.bulk.succeeded', { count: summary.succeeded.length })}
          {failed ? ` · ${t('servers.bulk.failedCount', { count: summary.failed.length })}` : ''}
        </Text>
        {summary.succeeded.length > 0 ? (
          <Stack gap={0} component="ul" m={0} pl="md">
            {summary.succeeded.map((name) => (
              <Text size="sm" component="li" key={name} data-testid={`bulk-ok-${name}`}>
                {name}
                {summary.outcomes[name] ? `: ${summary.outcomes[name]}` : ''}
              </Text>
            ))}
          </Stack>
        ) : null}
        {failed ? (
          <Stack gap={0} component="ul" m={0} pl="md">
            {summary.failed.map((failure) => (
              <Text
                size="sm"
                c="red"
                component="li"
                key={failure.name}
                data-testid={`bulk-failed-${failure.name}`}
              >
                {failure.name}: {failure.error}
              </Text>
            ))}
          </Stack>
        ) : null}
      </Stack>
    </Alert>
  );
}

/** Start, shut down or reboot of several servers: every name, and the shutdown's or reboot's options. */
function BulkConfirmModal({
  action,
  names,
  onClose,
  onConfirm,
}: {
  action: Exclude<PowerAction, 'delete'>;
  names: string[];
  onClose: () => void;
  onConfirm: (options: PowerOptions) => void;
}) {
  const { t } = useTranslation();
  const { fields, options, force } = usePowerOptionFields(action === 'stop' ? 'stop' : 'reboot');
  const verb = t(`servers.bulk.${action}`);
  const single = names.length === 1 ? names[0] : undefined;
  const chosen: PowerOptions | null = action === 'start' ? {} : options;
  return (
    <Modal
      opened
      onClose={onClose}
      title={
        single === undefined || action === 'start'
          ? t('servers.bulk.confirmTitle', { action: verb, count: names.length })
          : t(`servers.actions.${action}Title`, { name: single })
      }
    >
      <Stack gap="sm">
        <Text size="sm" data-testid="bulk-names">
          {names.join(', ')}
        </Text>
        {action === 'start' ? null : (
          <>
            <Text size="sm">{t(`servers.actions.${action}Body`)}</Text>
            {fields}
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('servers.actions.cancel')}
          </Button>
          <Button
            color={action !== 'start' && force ? 'red' : undefined}
            disabled={chosen === null}
            onClick={() => {
              if (chosen) onConfirm(chosen);
            }}
          >
            {single === undefined
              ? t('servers.bulk.confirm', { action: verb, count: names.length })
              : t(`servers.actions.${action}`)}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * Bulk actions over POST /api/servers/bulk_action: a confirmation naming every server (deletion says what it
 * destroys), then the summary when the API answered within 30 s (200), else the task followed live (202) and
 * its summary at the end. `onSent` runs once the API accepted the request (the list clears its selection).
 */
export function useBulkActions(onSent?: () => void) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const bulk = useBulkAction();
  const [state, setState] = useState<BulkState>({ phase: 'idle' });

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.servers.all });
  }, [queryClient]);

  const [asking, setAsking] = useState<{ action: Exclude<PowerAction, 'delete'>; names: string[] } | null>(
    null,
  );

  const send = (action: PowerAction, names: string[], options: PowerOptions = {}) => {
    setState({ phase: 'sending', action, names });
    bulk.mutate(
      { action, server_names: names, ...options },
      {
        onSuccess: (answer) => {
          onSent?.();
          if ('done' in answer) {
            setState({ phase: 'done', action, names, summary: answer.done });
            refresh();
          } else setState({ phase: 'following', action, names, taskId: answer.taskId });
        },
        onError: (error) => {
          setState({ phase: 'refused', action, names, error: error.message });
        },
      },
    );
  };

  /** Asks first, naming every server; then sends. */
  const request = (action: PowerAction, names: string[]) => {
    if (names.length === 0) return;
    if (action === 'delete') {
      confirmServerDeletion(names, t, () => {
        send(action, names);
      });
      return;
    }
    if (names.length === 1 && action === 'start') {
      send(action, names);
      return;
    }
    setAsking({ action, names });
  };

  const onTaskEnd = useCallback(
    (task: Task) => {
      setState((previous) =>
        previous.phase === 'following'
          ? { phase: 'done', action: previous.action, names: previous.names, summary: summaryOfTask(task) }
          : previous,
      );
      refresh();
    },
    [refresh],
  );
  const dismiss = () => {
    setState({ phase: 'idle' });
    bulk.reset();
  };

  const panel =
    state.phase === 'sending' ? (
      <Group gap="sm" role="status" data-testid="bulk-working">
        <Loader size="sm" />
        <Text size="sm">
          {t('servers.bulk.working', {
            action: t(`servers.bulk.${state.action}`),
            count: state.names.length,
          })}
        </Text>
      </Group>
    ) : state.phase === 'following' ? (
      <Stack gap={4}>
        <Text size="sm" c="dimmed">
          {t('servers.bulk.stillRunning')}
        </Text>
        <ActionProgress
          key={state.taskId}
          taskId={state.taskId}
          label={t('servers.bulk.summaryTitle', {
            action: t(`servers.bulk.${state.action}`),
            count: state.names.length,
          })}
          onEnd={onTaskEnd}
        />
      </Stack>
    ) : state.phase === 'done' ? (
      <BulkSummaryView
        action={state.action}
        count={state.names.length}
        summary={state.summary}
        onDismiss={dismiss}
      />
    ) : state.phase === 'refused' ? (
      <Alert color="red" withCloseButton closeButtonLabel={t('servers.bulk.dismiss')} onClose={dismiss}>
        {t('servers.bulk.refused', { error: state.error })}
      </Alert>
    ) : null;

  const confirmation = asking ? (
    <BulkConfirmModal
      key={`${asking.action}:${asking.names.join(',')}`}
      action={asking.action}
      names={asking.names}
      onClose={() => {
        setAsking(null);
      }}
      onConfirm={(options) => {
        setAsking(null);
        send(asking.action, asking.names, options);
      }}
    />
  ) : null;

  const busy = state.phase === 'sending';
  return {
    request,
    panel: (
      <>
        {confirmation}
        {panel}
      </>
    ),
    busy,
  };
}

/** The buttons over the selection: Start, Shut down, Reboot, Delete. */
export function BulkActionBar({
  names,
  busy,
  onAction,
}: {
  names: string[];
  busy: boolean;
  onAction: (action: PowerAction, names: string[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" role="group" aria-label={t('servers.bulk.label')}>
      {ACTIONS.map(({ action, icon: Icon, color }) => (
        <Button
          key={action}
          size="compact-sm"
          variant={action === 'delete' ? 'light' : 'default'}
          color={color}
          leftSection={<Icon size={14} />}
          disabled={busy}
          onClick={() => {
            onAction(action, names);
          }}
        >
          {t(`servers.bulk.${action}`)}
        </Button>
      ))}
    </Group>
  );
}

/** One server's actions in the list, in a menu: those that make sense from its status. */
export function RowActions({
  server,
  busy,
  onAction,
}: {
  server: Server;
  busy: boolean;
  onAction: (action: PowerAction, names: string[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          aria-label={t('servers.actions.quick', { name: server.name })}
          disabled={busy}
        >
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {ACTIONS.map(({ action, icon: Icon, color }) => (
          <Menu.Item
            key={action}
            color={color}
            leftSection={<Icon size={14} />}
            disabled={!actionAllowed(action, server.status)}
            onClick={() => {
              onAction(action, [server.name]);
            }}
          >
            {t(`servers.actions.${action}`)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
