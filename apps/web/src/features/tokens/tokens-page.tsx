import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { ApiError } from '../../lib/api';
import { formatDateTime } from '../../lib/i18n';
import { usePermission } from '../../lib/permissions';
import { useCurrentUser } from '../auth/auth.queries';
import { tokensQueryOptions, useCreateToken, useRevokeToken, type ApiToken } from './tokens.queries';

type Created = { name: string; secret: string };

/** Creates a token: a name, optionally fewer permissions than one's own, optionally an expiry day. */
function TokenForm({ onClose, onCreated }: { onClose: () => void; onCreated: (created: Created) => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const create = useCreateToken();
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      {
        name: name.trim(),
        ...(permissions.length > 0 ? { permissions: permissions as ApiToken['permissions'] & string[] } : {}),
        ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      },
      {
        onSuccess: (token) => {
          onCreated({ name: token.name, secret: token.secret });
        },
        onError: (error) => {
          if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
            setFieldErrors({ ...error.fields });
            setFormError(null);
          } else setFormError(error.message);
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={t('tokens.form.title')}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {formError ? (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          ) : null}
          <TextInput
            label={t('tokens.form.name')}
            description={t('tokens.form.nameHint')}
            required
            value={name}
            onChange={(event) => {
              setName(event.currentTarget.value);
            }}
            error={fieldErrors.name}
            data-autofocus
          />
          <MultiSelect
            label={t('tokens.form.permissions')}
            description={t('tokens.form.permissionsHint')}
            data={(me?.permissions ?? []).map((permission) => ({
              value: permission,
              label: t(`permissions.${permission}`),
            }))}
            value={permissions}
            onChange={setPermissions}
            error={fieldErrors.permissions}
            clearable
          />
          <TextInput
            type="date"
            label={t('tokens.form.expires')}
            description={t('tokens.form.expiresHint')}
            value={expires}
            onChange={(event) => {
              setExpires(event.currentTarget.value);
            }}
            error={fieldErrors.expires_at}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('tokens.form.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The new token's secret, this once, with a copy button; closing forgets it. */
function SecretDialog({ created, onClose }: { created: Created; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('tokens.secret.title', { name: created.name })}
      closeOnClickOutside={false}
    >
      <Stack gap="sm">
        <Alert color="yellow">{t('tokens.secret.body')}</Alert>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code
            block
            style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
            aria-label={t('tokens.secret.label')}
            data-testid="token-secret"
          >
            {created.secret}
          </Code>
          <CopyButton value={created.secret}>
            {({ copied, copy }) => (
              <Button
                variant="light"
                color={copied ? 'teal' : 'blue'}
                leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                onClick={copy}
              >
                {copied ? t('tokens.secret.copied') : t('tokens.secret.copy')}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Group justify="flex-end">
          <Button onClick={onClose}>{t('tokens.secret.done')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function TokenRow({
  token,
  showOwner,
  onRevoke,
}: {
  token: ApiToken;
  showOwner: boolean;
  onRevoke: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Th scope="row">{token.name}</Table.Th>
      {showOwner ? <Table.Td>{token.username}</Table.Td> : null}
      <Table.Td>
        {token.permissions === null ? (
          <Text size="sm">{t('tokens.allOfMine')}</Text>
        ) : (
          <Group gap={4}>
            {token.permissions.map((permission) => (
              <Badge key={permission} variant="light" size="sm">
                {t(`permissions.${permission}`)}
              </Badge>
            ))}
          </Group>
        )}
      </Table.Td>
      <Table.Td>
        {token.expires_at ? formatDateTime(token.expires_at) : t('tokens.noExpiry')}
        {token.expired ? (
          <Badge color="gray" size="xs" ml={6}>
            {t('tokens.expired')}
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Td visibleFrom="sm">
        {token.last_used_at
          ? t('tokens.lastUsedFrom', {
              at: formatDateTime(token.last_used_at),
              ip: token.last_used_ip ?? '?',
            })
          : t('tokens.never')}
      </Table.Td>
      <Table.Td visibleFrom="md">{formatDateTime(token.created_at)}</Table.Td>
      <Table.Td>
        <Tooltip label={t('tokens.revoke')}>
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={t('tokens.revokeOf', { name: token.name })}
            onClick={onRevoke}
          >
            <IconTrash size={18} />
          </ActionIcon>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * "My API tokens", for every signed-in user: list, create (the secret shown once), revoke. Administrators
 * can switch to everyone's tokens and revoke any.
 */
export function TokensPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('tokens.title')} · ${t('app.name')}`);
  const isAdmin = usePermission('admin_access');
  const [scope, setScope] = useState<'mine' | 'everyone'>('mine');
  const everyone = isAdmin && scope === 'everyone';
  const tokens = useQuery(tokensQueryOptions(everyone));
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  const confirmRevoke = (token: ApiToken) => {
    modals.openConfirmModal({
      title: t('tokens.confirmRevoke.title', { name: token.name }),
      children: (
        <Text size="sm">{t('tokens.confirmRevoke.body', { name: token.name, owner: token.username })}</Text>
      ),
      labels: {
        confirm: t('tokens.confirmRevoke.confirm', { name: token.name }),
        cancel: t('common.cancel'),
      },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        revoke.mutate(token.id, {
          onSuccess: () => {
            notifications.show({
              color: 'teal',
              icon: <IconCheck size={18} />,
              message: t('tokens.confirmRevoke.done', { name: token.name }),
            });
          },
          onError: (error) => {
            notifications.show({ color: 'red', title: t('tokens.failed'), message: error.message });
          },
        });
      },
    });
  };

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('tokens.title')}
          </Title>
          <Text c="dimmed" maw={720}>
            {t('tokens.description')}
          </Text>
        </div>
        <Button
          leftSection={<IconPlus size={16} />}
          onClick={() => {
            setCreating(true);
          }}
        >
          {t('tokens.add')}
        </Button>
      </Group>

      {isAdmin ? (
        <SegmentedControl
          aria-label={t('tokens.scope.label')}
          value={scope}
          onChange={(value) => {
            setScope(value === 'everyone' ? 'everyone' : 'mine');
          }}
          data={[
            { value: 'mine', label: t('tokens.scope.mine') },
            { value: 'everyone', label: t('tokens.scope.everyone') },
          ]}
          w="fit-content"
        />
      ) : null}

      <QueryState
        query={tokens}
        errorTitle={t('tokens.loadFailed')}
        rows={2}
        isEmpty={(data) => data.length === 0}
        empty={t('tokens.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t('tokens.table.label')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('tokens.table.name')}</Table.Th>
                    {everyone ? <Table.Th>{t('tokens.owner')}</Table.Th> : null}
                    <Table.Th>{t('tokens.table.permissions')}</Table.Th>
                    <Table.Th>{t('tokens.table.expires')}</Table.Th>
                    <Table.Th visibleFrom="sm">{t('tokens.table.lastUsed')}</Table.Th>
                    <Table.Th visibleFrom="md">{t('tokens.table.created')}</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>{t('tokens.table.actions')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((token) => (
                    <TokenRow
                      key={token.id}
                      token={token}
                      showOwner={everyone}
                      onRevoke={() => {
                        confirmRevoke(token);
                      }}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>

      {creating ? (
        <TokenForm
          onClose={() => {
            setCreating(false);
          }}
          onCreated={(token) => {
            setCreating(false);
            setCreated(token);
          }}
        />
      ) : null}
      {created ? (
        <SecretDialog
          created={created}
          onClose={() => {
            setCreated(null);
          }}
        />
      ) : null}
    </Stack>
  );
}
