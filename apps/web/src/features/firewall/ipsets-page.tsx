import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { ApiError } from '../../lib/api';
import { Can, usePermission } from '../../lib/permissions';
import { FirewallHeader, notifyDone, notifyFailed } from './firewall-shared';
import {
  ipsetsQueryOptions,
  useAddIpsetEntry,
  useCreateIpset,
  useDeleteIpset,
  useDeleteIpsetEntry,
  type Ipset,
} from './firewall.queries';

function fieldErrors(error: Error): Record<string, string> {
  return error instanceof ApiError && Object.keys(error.fields).length > 0
    ? { ...error.fields }
    : { form: error.message };
}

function CreateIpset({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateIpset();
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), ...(comment.trim() ? { comment: comment.trim() } : {}) },
      {
        onSuccess: (set) => {
          notifyDone(t('firewall.ipsets.created', { name: set.name }));
          onClose();
        },
        onError: (error) => {
          setErrors(fieldErrors(error));
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={t('firewall.ipsets.add')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t('firewall.ipsets.name')}
            required
            data-autofocus
            value={name}
            error={errors.name}
            onChange={(event) => {
              setName(event.currentTarget.value);
            }}
          />
          <TextInput
            label={t('firewall.ipsets.comment')}
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
            <Button type="submit" loading={create.isPending}>
              {t('firewall.ipsets.add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function IpsetCard({ set }: { set: Ipset }) {
  const { t } = useTranslation();
  const canEdit = usePermission('manage_firewall');
  const add = useAddIpsetEntry();
  const removeEntry = useDeleteIpsetEntry();
  const remove = useDeleteIpset();
  const [cidr, setCidr] = useState('');
  const [nomatch, setNomatch] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    add.mutate(
      { name: set.name, body: { cidr: cidr.trim(), ...(nomatch ? { nomatch } : {}) } },
      {
        onSuccess: () => {
          setCidr('');
          setNomatch(false);
        },
        onError: (error) => {
          setErrors(fieldErrors(error));
        },
      },
    );
  };
  const confirmDelete = () => {
    modals.openConfirmModal({
      title: t('firewall.ipsets.deleteTitle', { name: set.name }),
      children: <Text size="sm">{t('firewall.ipsets.deleteBody')}</Text>,
      labels: { confirm: t('firewall.ipsets.delete', { name: set.name }), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(set.name, {
          onSuccess: () => {
            notifyDone(t('firewall.ipsets.deleted', { name: set.name }));
          },
          onError: (error) => {
            notifyFailed(t('firewall.ipsets.delete', { name: set.name }), error);
          },
        });
      },
    });
  };
  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={2} size="h4">
            {set.name}
          </Title>
          {set.comment ? (
            <Text c="dimmed" size="sm">
              {set.comment}
            </Text>
          ) : null}
        </div>
        <Can permission="manage_firewall">
          <Tooltip label={t('firewall.ipsets.delete', { name: set.name })}>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('firewall.ipsets.delete', { name: set.name })}
              onClick={confirmDelete}
            >
              <IconTrash size={18} />
            </ActionIcon>
          </Tooltip>
        </Can>
      </Group>
      <Group gap="xs" mb="sm">
        {set.entries.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t('firewall.ipsets.noEntries')}
          </Text>
        ) : (
          set.entries.map((entry) => (
            <Badge
              key={entry.cidr}
              variant="light"
              color={entry.nomatch ? 'orange' : 'blue'}
              rightSection={
                canEdit ? (
                  <ActionIcon
                    size="xs"
                    variant="transparent"
                    aria-label={t('firewall.ipsets.removeEntry', { cidr: entry.cidr, name: set.name })}
                    onClick={() => {
                      removeEntry.mutate(
                        { name: set.name, cidr: entry.cidr },
                        {
                          onError: (error) => {
                            notifyFailed(entry.cidr, error);
                          },
                        },
                      );
                    }}
                  >
                    <IconX size={12} />
                  </ActionIcon>
                ) : null
              }
            >
              {entry.nomatch ? `!${entry.cidr}` : entry.cidr}
            </Badge>
          ))
        )}
      </Group>
      <Can permission="manage_firewall">
        <form onSubmit={submit} noValidate aria-label={t('firewall.ipsets.entryLabel', { name: set.name })}>
          <Group align="flex-end" gap="xs">
            <TextInput
              label={t('firewall.ipsets.cidr')}
              value={cidr}
              error={errors.cidr ?? errors.form}
              onChange={(event) => {
                setCidr(event.currentTarget.value);
              }}
            />
            <Checkbox
              label={t('firewall.ipsets.nomatch')}
              checked={nomatch}
              mb={8}
              onChange={(event) => {
                setNomatch(event.currentTarget.checked);
              }}
            />
            <Button type="submit" variant="light" loading={add.isPending}>
              {t('firewall.ipsets.addEntry')}
            </Button>
          </Group>
        </form>
      </Can>
    </Card>
  );
}

/** The cluster's IP sets, their entries, and changing them. */
export function IpsetsPage() {
  const { t } = useTranslation();
  const sets = useQuery(ipsetsQueryOptions);
  const [creating, setCreating] = useState(false);
  useDocumentTitle(`${t('firewall.tabs.ipsets')} · ${t('app.name')}`);
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
              {t('firewall.ipsets.add')}
            </Button>
          </Can>
        }
      />
      <QueryState
        query={sets}
        errorMessage={(error) => t('firewall.loadFailed', { error: error.message })}
        rows={2}
        isEmpty={(data) => data.length === 0}
        empty={t('firewall.ipsets.empty')}
      >
        {(data) => (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {data.map((set) => (
              <IpsetCard key={set.name} set={set} />
            ))}
          </SimpleGrid>
        )}
      </QueryState>
      {creating ? (
        <CreateIpset
          onClose={() => {
            setCreating(false);
          }}
        />
      ) : null}
    </Stack>
  );
}
