import { Anchor, Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Can } from '../../lib/permissions';
import { RoleAssignModal } from './role-assign-modal';

/**
 * Assigns a role to the selected servers (POST /api/roles/assign_bulk: one task, an item per server, a bounded
 * number at a time); a notification links to the task, and each server's run shows in its Role tab.
 */
export function BulkRoleButton({ servers }: { servers: readonly string[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // Notifications are shown outside the router: the link navigates through this page's router.
  const navigate = useNavigate();
  return (
    <Can permission="assign_roles">
      <Button
        variant="light"
        size="compact-sm"
        onClick={() => {
          setOpen(true);
        }}
      >
        {t('ansibleRoles.bulk.assign')}
      </Button>
      {open ? (
        <RoleAssignModal
          names={[...servers]}
          onClose={() => {
            setOpen(false);
          }}
          onStarted={(run) => {
            setOpen(false);
            notifications.show({
              color: 'blue',
              message: (
                <Stack gap={2}>
                  <Text size="sm">
                    {t('ansibleRoles.assign.startedMany', { role: run.role, count: servers.length })}
                  </Text>
                  <Anchor
                    component="button"
                    type="button"
                    size="sm"
                    ta="left"
                    onClick={() => {
                      void navigate(`/tasks/${run.taskId}`);
                    }}
                  >
                    {t('ansibleRoles.log.openTask')}
                  </Anchor>
                </Stack>
              ),
            });
          }}
        />
      ) : null}
    </Can>
  );
}
