import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Menu,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue, useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import {
  IconCheck,
  IconDotsVertical,
  IconKey,
  IconPlayerPause,
  IconPlayerPlay,
  IconPlus,
  IconSearch,
  IconTrash,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../lib/i18n';
import { useCurrentUser } from '../auth/auth.queries';
import { useResetPassword, useUserAction, usersQueryOptions, type AdminUser } from './admin.queries';
import { Pager } from '../../components/pager';
import { ResetPasswordForm, UserForm, splitErrors } from './user-form';

const PER_PAGE = 20;

/** Delete and deactivate ask first, naming the user and what ends. */
function useUserActions() {
  const { t } = useTranslation();
  const action = useUserAction();
  const run = (kind: 'delete' | 'deactivate' | 'activate', user: AdminUser) => {
    action.mutate(
      { action: kind, username: user.username },
      {
        onSuccess: () => {
          const done =
            kind === 'delete'
              ? t('adminUsers.confirmDelete.done', { username: user.username })
              : kind === 'deactivate'
                ? t('adminUsers.confirmDeactivate.done', { username: user.username })
                : t('adminUsers.activated', { username: user.username });
          notifications.show({ color: 'teal', icon: <IconCheck size={18} />, message: done });
        },
        onError: (error) => {
          notifications.show({ color: 'red', title: t('adminUsers.failed'), message: error.message });
        },
      },
    );
  };
  const confirm = (kind: 'delete' | 'deactivate', user: AdminUser) => {
    const texts = kind === 'delete' ? 'adminUsers.confirmDelete' : 'adminUsers.confirmDeactivate';
    modals.openConfirmModal({
      title: t(`${texts}.title`, { username: user.username }),
      children: <Text size="sm">{t(`${texts}.body`, { username: user.username })}</Text>,
      labels: { confirm: t(`${texts}.confirm`, { username: user.username }), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        run(kind, user);
      },
    });
  };
  return {
    confirm,
    activate: (user: AdminUser) => {
      run('activate', user);
    },
  };
}

function UserRow({
  user,
  isSelf,
  onReset,
  actions,
}: {
  user: AdminUser;
  isSelf: boolean;
  onReset: () => void;
  actions: ReturnType<typeof useUserActions>;
}) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Th scope="row">
        <Group gap={6} wrap="nowrap">
          <span>{user.username}</span>
          {isSelf ? (
            <Badge size="xs" variant="light">
              {t('adminUsers.you')}
            </Badge>
          ) : null}
        </Group>
        <Text size="xs" c="dimmed" hiddenFrom="sm">
          {user.name}
        </Text>
      </Table.Th>
      <Table.Td visibleFrom="sm">
        <Text size="sm">{user.name || '—'}</Text>
        <Text size="xs" c="dimmed">
          {user.email ?? ''}
        </Text>
      </Table.Td>
      <Table.Td>{t(`roles.${user.role}`)}</Table.Td>
      <Table.Td>
        <Badge color={user.is_active ? 'teal' : 'gray'} variant="dot">
          {user.is_active ? t('adminUsers.active') : t('adminUsers.inactive')}
        </Badge>
      </Table.Td>
      <Table.Td visibleFrom="md">
        {user.last_login_at ? formatDateTime(user.last_login_at) : t('adminUsers.never')}
      </Table.Td>
      <Table.Td>
        {isSelf ? null : (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon
                variant="subtle"
                aria-label={t('adminUsers.actionsOf', { username: user.username })}
              >
                <IconDotsVertical size={18} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconKey size={16} />} onClick={onReset}>
                {t('adminUsers.resetPassword')}
              </Menu.Item>
              {user.is_active ? (
                <Menu.Item
                  leftSection={<IconPlayerPause size={16} />}
                  onClick={() => {
                    actions.confirm('deactivate', user);
                  }}
                >
                  {t('adminUsers.deactivate')}
                </Menu.Item>
              ) : (
                <Menu.Item
                  leftSection={<IconPlayerPlay size={16} />}
                  onClick={() => {
                    actions.activate(user);
                  }}
                >
                  {t('adminUsers.activate')}
                </Menu.Item>
              )}
              <Menu.Divider />
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={() => {
                  actions.confirm('delete', user);
                }}
              >
                {t('adminUsers.delete')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Users for administrators: search, pages, create, reset a password, deactivate, activate, delete. */
export function UsersPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('adminUsers.title')} · ${t('app.name')}`);
  const me = useCurrentUser();
  const [search, setSearch] = useState('');
  const [query] = useDebouncedValue(search.trim(), 250);
  const [page, setPage] = useState(1);
  const list = useQuery(usersQueryOptions({ page, per_page: PER_PAGE, ...(query ? { q: query } : {}) }));
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<AdminUser | null>(null);
  const reset = useResetPassword();
  const actions = useUserActions();

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('adminUsers.title')}
          </Title>
          <Text c="dimmed">{t('adminUsers.description')}</Text>
        </div>
        <Button
          leftSection={<IconPlus size={16} />}
          onClick={() => {
            setCreating(true);
          }}
        >
          {t('adminUsers.add')}
        </Button>
      </Group>

      <TextInput
        label={t('adminUsers.search')}
        placeholder={t('adminUsers.searchPlaceholder')}
        leftSection={<IconSearch size={16} />}
        value={search}
        maw={420}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          setPage(1);
        }}
      />

      <QueryState
        query={list}
        errorTitle={t('adminUsers.loadFailed')}
        isEmpty={(data) => data.users.length === 0}
        empty={t('adminUsers.empty')}
      >
        {(data) => (
          <>
            <Paper withBorder radius="md">
              <Table.ScrollContainer minWidth={420}>
                <Table verticalSpacing="sm" highlightOnHover aria-label={t('adminUsers.table.label')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('adminUsers.table.username')}</Table.Th>
                      <Table.Th visibleFrom="sm">{t('adminUsers.table.name')}</Table.Th>
                      <Table.Th>{t('adminUsers.table.role')}</Table.Th>
                      <Table.Th>{t('adminUsers.table.status')}</Table.Th>
                      <Table.Th visibleFrom="md">{t('adminUsers.table.lastLogin')}</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>{t('adminUsers.table.actions')}</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.users.map((user) => (
                      <UserRow
                        key={user.id}
                        user={user}
                        isSelf={user.id === me?.id}
                        actions={actions}
                        onReset={() => {
                          setResetting(user);
                        }}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
            <Pager
              label={t('adminUsers.table.label')}
              summary={t('adminUsers.pageOf', {
                page: String(data.pagination.page),
                pages: String(data.pagination.pages),
                total: String(data.pagination.total),
              })}
              page={page}
              pages={data.pagination.pages}
              onChange={setPage}
            />
          </>
        )}
      </QueryState>

      {creating ? (
        <UserForm
          onClose={() => {
            setCreating(false);
          }}
        />
      ) : null}
      {resetting ? (
        <ResetPasswordForm
          username={resetting.username}
          pending={reset.isPending}
          onClose={() => {
            setResetting(null);
          }}
          onSubmit={(password, onError) => {
            reset.mutate(
              { username: resetting.username, password },
              {
                onSuccess: () => {
                  notifications.show({
                    color: 'teal',
                    icon: <IconCheck size={18} />,
                    message: t('adminUsers.reset.done', { username: resetting.username }),
                  });
                  setResetting(null);
                },
                onError: (error) => {
                  const { fieldErrors, formError } = splitErrors(error, ['new_password']);
                  onError(fieldErrors.new_password ?? formError ?? error.message);
                },
              },
            );
          }}
        />
      ) : null}
    </Stack>
  );
}
