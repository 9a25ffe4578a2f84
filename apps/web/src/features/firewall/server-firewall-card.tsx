import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Can } from '../../lib/permissions';
import { notifyDone, notifyFailed } from './firewall-shared';
import {
  driftQueryOptions,
  groupsQueryOptions,
  serverFirewallQueryOptions,
  useApplyGroup,
  useReapplyGroup,
  useRemoveGroup,
  type Drift,
} from './firewall.queries';

/** The drift badge of a server in lists, when the sync found its VM firewall changed in Proxmox. */
export function DriftBadge({ drift }: { drift: Drift | undefined }) {
  const { t } = useTranslation();
  if (!drift) return null;
  return (
    <Badge color="orange" variant="light" title={t(`firewall.server.drift.${drift.reason}`)}>
      {t('firewall.server.driftBadge')}
    </Badge>
  );
}

/** The drift of every server, by name, for lists. */
export function useDriftByServer(): Map<string, Drift> {
  const drift = useQuery(driftQueryOptions);
  return new Map((drift.data ?? []).map((entry) => [entry.server_name, entry]));
}

/** A server's security group: which one, its drift, and apply, remove or re-apply it. */
export function ServerFirewallCard({ name }: { name: string }) {
  const { t } = useTranslation();
  const state = useQuery(serverFirewallQueryOptions(name));
  const groups = useQuery(groupsQueryOptions);
  const apply = useApplyGroup();
  const remove = useRemoveGroup();
  const reapply = useReapplyGroup();
  const [choice, setChoice] = useState<string | null>(null);
  const failed = (error: Error) => {
    notifyFailed(t('firewall.server.failed', { server: name, error: '' }), error);
  };
  const current = state.data?.firewall_group ?? null;
  const drift = state.data?.drift ?? null;

  const confirmRemove = (group: string) => {
    modals.openConfirmModal({
      title: t('firewall.server.removeTitle', { group, server: name }),
      children: <Text size="sm">{t('firewall.server.removeBody')}</Text>,
      labels: { confirm: t('firewall.server.removeConfirm', { group }), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(name, {
          onSuccess: () => {
            notifyDone(t('firewall.server.removed', { server: name }));
          },
          onError: failed,
        });
      },
    });
  };

  return (
    <Card withBorder padding="lg" radius="md" data-testid="server-firewall">
      <Title order={2} size="h4" mb="sm">
        {t('firewall.server.title')}
      </Title>
      {state.isError ? (
        <Text c="red" size="sm">
          {t('firewall.loadFailed', { error: state.error.message })}
        </Text>
      ) : state.isPending ? (
        <Skeleton h={60} />
      ) : (
        <Stack gap="sm">
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              {t('firewall.server.group')}:
            </Text>
            {current ? (
              <Anchor component={Link} to={`/firewall/groups/${encodeURIComponent(current)}`} fw={500}>
                {current}
              </Anchor>
            ) : (
              <Text size="sm">{t('firewall.server.none')}</Text>
            )}
          </Group>
          {drift ? (
            <Alert color="orange" icon={<IconAlertTriangle size={18} />} role="status">
              <Group justify="space-between" gap="xs">
                <Text size="sm">{t(`firewall.server.drift.${drift}`)}</Text>
                <Can permission="manage_firewall">
                  <Button
                    size="xs"
                    color="orange"
                    loading={reapply.isPending}
                    onClick={() => {
                      reapply.mutate(name, {
                        onSuccess: (result) => {
                          notifyDone(
                            t('firewall.server.reapplied', {
                              group: result.firewall_group ?? '',
                              server: name,
                            }),
                          );
                        },
                        onError: failed,
                      });
                    }}
                  >
                    {t('firewall.server.reapply')}
                  </Button>
                </Can>
              </Group>
            </Alert>
          ) : null}
          <Can permission="manage_firewall">
            <Group align="flex-end" gap="xs">
              <Select
                label={t('firewall.server.choose')}
                data={(groups.data ?? []).map((group) => group.name)}
                value={choice}
                searchable
                w={220}
                onChange={setChoice}
              />
              <Button
                disabled={choice === null || choice === current}
                loading={apply.isPending}
                onClick={() => {
                  if (choice === null) return;
                  apply.mutate(
                    { server: name, group: choice },
                    {
                      onSuccess: () => {
                        notifyDone(t('firewall.server.applied', { group: choice, server: name }));
                        setChoice(null);
                      },
                      onError: failed,
                    },
                  );
                }}
              >
                {t('firewall.server.apply')}
              </Button>
              {current ? (
                <Button
                  variant="light"
                  color="red"
                  loading={remove.isPending}
                  onClick={() => {
                    confirmRemove(current);
                  }}
                >
                  {t('firewall.server.remove')}
                </Button>
              ) : null}
            </Group>
          </Can>
        </Stack>
      )}
    </Card>
  );
}
