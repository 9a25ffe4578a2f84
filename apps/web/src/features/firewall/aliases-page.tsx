import {
  ActionIcon,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { ApiError } from '../../lib/api';
import { Can, usePermission } from '../../lib/permissions';
import { FirewallHeader, notifyDone, notifyFailed } from './firewall-shared';
import { aliasesQueryOptions, useDeleteAlias, useSaveAlias, type Alias } from './firewall.queries';

function AliasForm({ alias, onClose }: { alias: Alias | null; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveAlias();
  const [name, setName] = useState(alias?.name ?? '');
  const [cidr, setCidr] = useState(alias?.cidr ?? '');
  const [comment, setComment] = useState(alias?.comment ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    save.mutate(
      {
        current: alias?.name ?? null,
        body: {
          name: name.trim(),
          cidr: cidr.trim(),
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        },
      },
      {
        onSuccess: (saved) => {
          notifyDone(t('firewall.aliases.saved', { name: saved.name }));
          onClose();
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
    <Modal
      opened
      onClose={onClose}
      title={alias ? t('firewall.aliases.edit', { name: alias.name }) : t('firewall.aliases.add')}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t('firewall.aliases.name')}
            required
            data-autofocus
            value={name}
            error={errors.name}
            onChange={(event) => {
              setName(event.currentTarget.value);
            }}
          />
          <TextInput
            label={t('firewall.aliases.cidr')}
            required
            value={cidr}
            error={errors.cidr}
            onChange={(event) => {
              setCidr(event.currentTarget.value);
            }}
          />
          <TextInput
            label={t('firewall.aliases.comment')}
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
              {t('firewall.aliases.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The cluster's aliases: names for addresses and networks that rules and IP sets use. */
export function AliasesPage() {
  const { t } = useTranslation();
  const aliases = useQuery(aliasesQueryOptions);
  const canEdit = usePermission('manage_firewall');
  const remove = useDeleteAlias();
  const [dialog, setDialog] = useState<Alias | 'new' | null>(null);
  useDocumentTitle(`${t('firewall.tabs.aliases')} · ${t('app.name')}`);
  const confirmDelete = (alias: Alias) => {
    modals.openConfirmModal({
      title: t('firewall.aliases.deleteTitle', { name: alias.name }),
      children: <Text size="sm">{t('firewall.aliases.deleteBody')}</Text>,
      labels: { confirm: t('firewall.aliases.delete', { name: alias.name }), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(alias.name, {
          onSuccess: () => {
            notifyDone(t('firewall.aliases.deleted', { name: alias.name }));
          },
          onError: (error) => {
            notifyFailed(t('firewall.aliases.delete', { name: alias.name }), error);
          },
        });
      },
    });
  };
  return (
    <Stack gap="lg">
      <FirewallHeader
        action={
          <Can permission="manage_firewall">
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => {
                setDialog('new');
              }}
            >
              {t('firewall.aliases.add')}
            </Button>
          </Can>
        }
      />
      <QueryState
        query={aliases}
        errorMessage={(error) => t('firewall.loadFailed', { error: error.message })}
        rows={2}
        isEmpty={(data) => data.length === 0}
        empty={t('firewall.aliases.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="sm" aria-label={t('firewall.tabs.aliases')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('firewall.aliases.name')}</Table.Th>
                    <Table.Th>{t('firewall.aliases.cidr')}</Table.Th>
                    <Table.Th>{t('firewall.aliases.comment')}</Table.Th>
                    {canEdit ? (
                      <Table.Th>
                        <VisuallyHidden>{t('firewall.group.columns.actions')}</VisuallyHidden>
                      </Table.Th>
                    ) : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((alias) => (
                    <Table.Tr key={alias.name}>
                      <Table.Th scope="row">{alias.name}</Table.Th>
                      <Table.Td>{alias.cidr}</Table.Td>
                      <Table.Td>{alias.comment ?? ''}</Table.Td>
                      {canEdit ? (
                        <Table.Td>
                          <Group gap={2} wrap="nowrap">
                            <Tooltip label={t('firewall.aliases.edit', { name: alias.name })}>
                              <ActionIcon
                                variant="subtle"
                                aria-label={t('firewall.aliases.edit', { name: alias.name })}
                                onClick={() => {
                                  setDialog(alias);
                                }}
                              >
                                <IconPencil size={16} />
                              </ActionIcon>
                            </Tooltip>
                            <Tooltip label={t('firewall.aliases.delete', { name: alias.name })}>
                              <ActionIcon
                                variant="subtle"
                                color="red"
                                aria-label={t('firewall.aliases.delete', { name: alias.name })}
                                onClick={() => {
                                  confirmDelete(alias);
                                }}
                              >
                                <IconTrash size={16} />
                              </ActionIcon>
                            </Tooltip>
                          </Group>
                        </Table.Td>
                      ) : null}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>
      {dialog !== null ? (
        <AliasForm
          alias={dialog === 'new' ? null : dialog}
          onClose={() => {
            setDialog(null);
          }}
        />
      ) : null}
    </Stack>
  );
}
