import {
  Button,
  Checkbox,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { useCurrentUser } from '../auth/auth.queries';
import { iamQueryOptions, useSetAccess, type AdminUser, type IamData } from './admin.queries';

type IamUser = IamData['users'][number];
type PermissionName = AdminUser['permissions'][number];

function MatrixRow({
  user,
  catalogue,
  roles,
  isSelf,
}: {
  user: IamUser;
  catalogue: PermissionName[];
  roles: AdminUser['role'][];
  isSelf: boolean;
}) {
  const { t } = useTranslation();
  const change = useSetAccess();
  const [draft, setDraft] = useState<PermissionName[] | null>(null);
  const shown = draft ?? user.permissions;
  const dirty =
    draft !== null &&
    (draft.length !== user.permissions.length ||
      draft.some((permission) => !user.permissions.includes(permission)));
  const failed = (error: Error) => {
    notifications.show({ color: 'red', title: t('iam.failed'), message: error.message });
  };

  return (
    <Table.Tr>
      <Table.Th scope="row">
        <Text size="sm" fw={600}>
          {user.username}
        </Text>
        {isSelf ? (
          <Text size="xs" c="dimmed">
            {t('iam.yourself')}
          </Text>
        ) : !user.is_active ? (
          <Text size="xs" c="dimmed">
            {t('adminUsers.inactive')}
          </Text>
        ) : null}
      </Table.Th>
      <Table.Td miw={140}>
        <Select
          aria-label={t('iam.roleOf', { username: user.username })}
          data={roles.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
          value={user.role}
          allowDeselect={false}
          disabled={isSelf || change.isPending}
          onChange={(role) => {
            if (!role || role === user.role) return;
            const next = role as AdminUser['role'];
            change.mutate(
              { kind: 'role', username: user.username, role: next },
              {
                onSuccess: () => {
                  setDraft(null);
                  notifications.show({
                    color: 'teal',
                    icon: <IconCheck size={18} />,
                    message: t('iam.roleSet', { username: user.username, role: t(`roles.${next}`) }),
                  });
                },
                onError: failed,
              },
            );
          }}
        />
      </Table.Td>
      {catalogue.map((permission) => (
        <Table.Td key={permission} ta="center">
          <Checkbox
            aria-label={t('iam.permissionOf', {
              permission: t(`permissions.${permission}`),
              username: user.username,
            })}
            checked={shown.includes(permission)}
            disabled={isSelf}
            styles={{ body: { justifyContent: 'center' } }}
            onChange={(event) => {
              const checked = event.currentTarget.checked;
              setDraft(
                checked ? [...shown, permission] : shown.filter((candidate) => candidate !== permission),
              );
            }}
          />
        </Table.Td>
      ))}
      <Table.Td>
        <Button
          size="xs"
          disabled={!dirty || isSelf}
          loading={change.isPending}
          aria-label={t('iam.saveOf', { username: user.username })}
          onClick={() => {
            change.mutate(
              {
                kind: 'permissions',
                username: user.username,
                permissions: catalogue.filter((name) => shown.includes(name)),
              },
              {
                onSuccess: () => {
                  setDraft(null);
                  notifications.show({
                    color: 'teal',
                    icon: <IconCheck size={18} />,
                    message: t('iam.saved', { username: user.username }),
                  });
                },
                onError: failed,
              },
            );
          }}
        >
          {t('iam.table.save')}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

/** The permission matrix: a row per user, a column per permission, role presets in the role column. */
export function IamPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('iam.title')} · ${t('app.name')}`);
  const me = useCurrentUser();
  const data = useQuery(iamQueryOptions);

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('iam.title')}
        </Title>
        <Text c="dimmed">{t('iam.description')}</Text>
      </div>
      <QueryState
        query={data}
        errorTitle={t('iam.loadFailed')}
        isEmpty={(matrix) => matrix.users.length === 0}
        empty={t('iam.empty')}
      >
        {(matrix) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={960}>
              <Table verticalSpacing="xs" highlightOnHover stickyHeader aria-label={t('iam.table.label')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('iam.table.user')}</Table.Th>
                    <Table.Th>{t('iam.table.role')}</Table.Th>
                    {matrix.permissions.map((permission) => (
                      <Table.Th key={permission.name} ta="center">
                        <Tooltip label={permission.description} multiline w={240}>
                          <Text size="xs" fw={600} tabIndex={0}>
                            {t(`permissions.${permission.name}`)}
                          </Text>
                        </Tooltip>
                      </Table.Th>
                    ))}
                    <Table.Th>
                      <VisuallyHidden>{t('iam.table.save')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {matrix.users.map((user) => (
                    <MatrixRow
                      key={`${user.username}:${user.role}:${user.permissions.join(',')}`}
                      user={user}
                      isSelf={user.username === me?.username}
                      catalogue={matrix.permissions.map((permission) => permission.name)}
                      roles={Object.keys(matrix.roles) as AdminUser['role'][]}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>
    </Stack>
  );
}
