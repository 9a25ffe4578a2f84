import { Anchor, Button, Group, Modal, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { QueryState } from '../../components/query-state';
import { ApiError } from '../../lib/api';
import { Can } from '../../lib/permissions';
import { FirewallHeader, notifyDone } from './firewall-shared';
import { groupsQueryOptions, useSaveGroup } from './firewall.queries';

/** Creating a group: the server's messages land on their fields. */
function CreateGroup({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveGroup();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    save.mutate(
      { name: name.trim(), ...(comment.trim() ? { comment: comment.trim() } : {}) },
      {
        onSuccess: () => {
          notifyDone(t('firewall.groups.created', { name: name.trim() }));
          onClose();
          void navigate(`/firewall/groups/${encodeURIComponent(name.trim())}`);
        },
        onError: (error) => {
          setErrors(
            error instanceof ApiError && Object.keys(error.fields).length > 0
              ? { ...error.fields }
              : { form: error.message },
          );
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={t('firewall.groups.add')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t('firewall.groups.name')}
            description={t('firewall.groups.nameHint')}
            required
            data-autofocus
            value={name}
            error={errors.name}
            onChange={(event) => {
              setName(event.currentTarget.value);
            }}
          />
          <TextInput
            label={t('firewall.groups.comment')}
            value={comment}
            error={errors.comment}
            onChange={(event) => {
              setComment(event.currentTarget.value);
            }}
          />
          {errors.form ? (
            <Text c="red" size="sm" role="alert">
              {errors.form}
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('firewall.groups.add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The security groups with their rule counts and the servers using each. */
export function FirewallPage() {
  const { t } = useTranslation();
  const groups = useQuery(groupsQueryOptions);
  const [creating, setCreating] = useState(false);
  useDocumentTitle(`${t('firewall.title')} · ${t('app.name')}`);
  return (
    <Stack gap="lg">
      <FirewallHeader
        action={
          <Can permission="manage_firewall">
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => {
                setCreating(true);
              }}
            >
              {t('firewall.groups.add')}
            </Button>
          </Can>
        }
      />
      <QueryState
        query={groups}
        errorMessage={(error) => t('firewall.loadFailed', { error: error.message })}
        rows={2}
        isEmpty={(data) => data.length === 0}
        empty={t('firewall.groups.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t('firewall.groups.label')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('firewall.groups.name')}</Table.Th>
                    <Table.Th>{t('firewall.groups.comment')}</Table.Th>
                    <Table.Th>{t('firewall.groups.rules')}</Table.Th>
                    <Table.Th>{t('firewall.groups.servers')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((group) => (
                    <Table.Tr key={group.name}>
                      <Table.Th scope="row">
                        <Anchor component={Link} to={`/firewall/groups/${encodeURIComponent(group.name)}`}>
                          {group.name}
                        </Anchor>
                      </Table.Th>
                      <Table.Td>{group.comment ?? ''}</Table.Td>
                      <Table.Td>{group.rules_count}</Table.Td>
                      <Table.Td>
                        {group.servers.length > 0 ? group.servers.join(', ') : t('firewall.groups.none')}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>
      {creating ? (
        <CreateGroup
          onClose={() => {
            setCreating(false);
          }}
        />
      ) : null}
    </Stack>
  );
}
