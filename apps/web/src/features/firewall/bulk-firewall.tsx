import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Can } from '../../lib/permissions';
import { notifyDone, notifyFailed } from './firewall-shared';
import { groupsQueryOptions, useAssignBulk } from './firewall.queries';

/** Assigns a security group to the selected servers (or removes it), as one task. */
export function BulkFirewallButton({ servers }: { servers: readonly string[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const groups = useQuery({ ...groupsQueryOptions, enabled: open });
  const assign = useAssignBulk();
  const [choice, setChoice] = useState<string | null>(null);
  const close = () => {
    setOpen(false);
    setChoice(null);
  };
  const count = servers.length;
  return (
    <Can permission="manage_firewall">
      <Button
        variant="light"
        size="compact-sm"
        onClick={() => {
          setOpen(true);
        }}
      >
        {t('firewall.bulk.button')}
      </Button>
      {open ? (
        <Modal opened onClose={close} title={t('firewall.bulk.title', { count })}>
          <Stack>
            <Text size="sm">{servers.join(', ')}</Text>
            <Select
              label={t('firewall.bulk.choose')}
              data={[
                { value: 'none', label: t('firewall.bulk.none') },
                ...(groups.data ?? []).map((group) => ({ value: group.name, label: group.name })),
              ]}
              value={choice}
              onChange={setChoice}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button
                color={choice === 'none' ? 'red' : undefined}
                disabled={choice === null}
                loading={assign.isPending}
                onClick={() => {
                  if (choice === null) return;
                  assign.mutate(
                    { server_names: [...servers], security_group: choice },
                    {
                      onSuccess: () => {
                        notifyDone(t('firewall.bulk.queued'));
                        close();
                      },
                      onError: (error) => {
                        notifyFailed(t('firewall.bulk.title', { count }), error);
                      },
                    },
                  );
                }}
              >
                {choice === 'none' ? t('firewall.bulk.removeConfirm', { count }) : t('firewall.bulk.confirm')}
              </Button>
            </Group>
          </Stack>
        </Modal>
      ) : null}
    </Can>
  );
}
