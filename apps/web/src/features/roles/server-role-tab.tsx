import { Alert, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SectionHeading } from '../../components/section-heading';
import { usePermission } from '../../lib/permissions';
import type { Server } from '../servers/servers.queries';
import { RoleAssignModal, type StartedRun } from './role-assign-modal';
import { LiveRoleRun } from './role-run-log';
import { RoleRunsTable } from './role-runs';
import { roleTexts } from './role-variables';
import { rolesQueryOptions, useRunRole } from './roles.queries';

/**
 * A server's Role tab: the role it has (recorded only when a run succeeded), assigning or changing it with a
 * form built from the role's settings, removing it (the confirmation says what the removal tasks destroy), the
 * output of the run just started as it comes, and the server's run history.
 */
export function ServerRoleTab({ server }: { server: Server }) {
  const { t, i18n } = useTranslation();
  const canAssign = usePermission('assign_roles');
  const roles = useQuery(rolesQueryOptions);
  const remove = useRunRole(server.name);
  const [assigning, setAssigning] = useState(false);
  const [started, setStarted] = useState<StartedRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = server.role ? roles.data?.find((role) => role.name === server.role) : undefined;
  const currentLabel = server.role ? (current ? roleTexts(current, i18n.language).label : server.role) : null;
  const hasAddress = server.ip_addresses.length > 0;

  const confirmRemoval = () => {
    const role = server.role;
    if (!role) return;
    modals.openConfirmModal({
      title: t('ansibleRoles.server.removeTitle', { role, name: server.name }),
      children: (
        <Text size="sm" data-testid="role-remove-body">
          {current && !current.removable
            ? t('ansibleRoles.server.removeBodyNoTasks', { role, name: server.name })
            : t('ansibleRoles.server.removeBody', { role, name: server.name })}
        </Text>
      ),
      labels: { confirm: t('ansibleRoles.server.removeConfirm', { role }), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        setError(null);
        remove.mutate(
          { action: 'remove', role },
          {
            onSuccess: (taskId) => {
              setStarted({ taskId, action: 'remove', role });
            },
            onError: (failure) => {
              setError(failure.message);
            },
          },
        );
      },
    });
  };

  return (
    <Stack gap="lg">
      <Card withBorder radius="md" padding="md">
        <Stack gap="sm">
          <SectionHeading
            title={t('ansibleRoles.server.title')}
            description={t('ansibleRoles.description')}
          />
          <Group gap="sm" justify="space-between" wrap="wrap">
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {t('ansibleRoles.server.current')}:
              </Text>
              {currentLabel ? (
                <Badge variant="light" size="lg" tt="none" data-testid="server-role">
                  {currentLabel}
                </Badge>
              ) : (
                <Text size="sm" c="dimmed" data-testid="server-role">
                  {t('ansibleRoles.server.none')}
                </Text>
              )}
            </Group>
            {canAssign ? (
              <Group gap="xs">
                <Button
                  disabled={!hasAddress}
                  onClick={() => {
                    setAssigning(true);
                  }}
                >
                  {server.role ? t('ansibleRoles.server.change') : t('ansibleRoles.server.assign')}
                </Button>
                {server.role ? (
                  <Button
                    variant="light"
                    color="red"
                    loading={remove.isPending}
                    disabled={!hasAddress}
                    onClick={confirmRemoval}
                  >
                    {t('ansibleRoles.server.remove', { role: server.role })}
                  </Button>
                ) : null}
              </Group>
            ) : (
              <Text size="xs" c="dimmed">
                {t('ansibleRoles.server.noPermission')}
              </Text>
            )}
          </Group>
          {!hasAddress ? (
            <Alert color="yellow" p="xs">
              {t('ansibleRoles.server.noAddress')}
            </Alert>
          ) : null}
          {error ? (
            <Alert color="red" role="alert" p="xs">
              {t('ansibleRoles.assign.failed', { error })}
            </Alert>
          ) : null}
        </Stack>
      </Card>
      {started ? (
        <Card withBorder radius="md" padding="md" data-testid="role-live-run">
          <LiveRoleRun key={started.taskId} taskId={started.taskId} server={server.name} />
        </Card>
      ) : null}
      <section aria-labelledby={`role-runs-${server.name}`}>
        <Stack gap="sm">
          <SectionHeading
            id={`role-runs-${server.name}`}
            title={t('ansibleRoles.server.runs')}
            description={t('ansibleRoles.history.description')}
          />
          <RoleRunsTable server={server.name} />
        </Stack>
      </section>
      {assigning ? (
        <RoleAssignModal
          names={[server.name]}
          initialRole={server.role ?? undefined}
          currentRole={server.role ?? undefined}
          onClose={() => {
            setAssigning(false);
          }}
          onStarted={(run) => {
            setAssigning(false);
            setStarted(run);
          }}
        />
      ) : null}
    </Stack>
  );
}
