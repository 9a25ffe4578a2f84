import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Paper,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import {
  IconAlertCircle,
  IconArrowDown,
  IconArrowLeft,
  IconArrowUp,
  IconPencil,
  IconPlus,
  IconTrash,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../lib/api';
import { Can, usePermission } from '../../lib/permissions';
import { notifyDone, notifyFailed } from './firewall-shared';
import {
  groupQueryOptions,
  useDeleteGroup,
  useDeleteRule,
  useSaveGroup,
  useSaveRule,
  type Group as FirewallGroup,
  type Rule,
  type RuleBody,
} from './firewall.queries';
import { RuleForm } from './rule-form';

/** A rule's match in one line: macro or protocol and ports, addresses, interface. */
export function ruleMatch(rule: Rule, any: string): string {
  const parts: string[] = [];
  if (rule.macro) parts.push(rule.macro);
  if (rule.proto) parts.push(rule.proto + (rule.dport ? `/${rule.dport}` : ''));
  if (rule.sport) parts.push(`sport ${rule.sport}`);
  if (rule.source) parts.push(`from ${rule.source}`);
  if (rule.dest) parts.push(`to ${rule.dest}`);
  if (rule.iface) parts.push(`on ${rule.iface}`);
  return parts.length > 0 ? parts.join(' · ') : any;
}

function RenameGroup({ group, onClose }: { group: FirewallGroup; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveGroup();
  const navigate = useNavigate();
  const [name, setName] = useState(group.name);
  const [comment, setComment] = useState(group.comment ?? '');
  const [error, setError] = useState<Record<string, string>>({});
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const renamed = name.trim() !== group.name;
    save.mutate(
      { name: name.trim(), comment: comment.trim(), ...(renamed ? { rename: group.name } : {}) },
      {
        onSuccess: () => {
          notifyDone(
            renamed
              ? t('firewall.group.renameQueued', { name: name.trim() })
              : t('firewall.group.commentSaved'),
          );
          onClose();
          if (renamed) void navigate('/firewall');
        },
        onError: (failure) => {
          setError(
            failure instanceof ApiError && Object.keys(failure.fields).length > 0
              ? { ...failure.fields }
              : { form: failure.message },
          );
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={t('firewall.group.renameTitle', { name: group.name })}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t('firewall.groups.name')}
            description={t('firewall.group.renameHelp')}
            value={name}
            error={error.name}
            onChange={(event) => {
              setName(event.currentTarget.value);
            }}
          />
          <TextInput
            label={t('firewall.group.editComment')}
            value={comment}
            error={error.comment}
            onChange={(event) => {
              setComment(event.currentTarget.value);
            }}
          />
          {error.form ? (
            <Text c="red" size="sm" role="alert">
              {error.form}
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('firewall.group.rename')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RulesTable({ group }: { group: FirewallGroup }) {
  const { t } = useTranslation();
  const canEdit = usePermission('manage_firewall');
  const save = useSaveRule(group.name);
  const remove = useDeleteRule(group.name);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const busy = save.isPending || remove.isPending;
  const failed = (error: Error) => {
    notifyFailed(
      t('firewall.saveFailed', { error: '' }),
      error instanceof ApiError && error.status === 409 ? new Error(t('firewall.group.stale')) : error,
    );
  };
  const move = (rule: Rule, moveto: number) => {
    save.mutate({ pos: rule.pos, moveto, digest: group.digest }, { onError: failed });
  };
  const toggle = (rule: Rule) => {
    const { pos, enable, type, action, ...fields } = rule;
    save.mutate(
      {
        ...fields,
        type: type as RuleBody['type'],
        action: action as RuleBody['action'],
        log: fields.log as RuleBody['log'],
        pos,
        enable: !enable,
        digest: group.digest,
      },
      { onError: failed },
    );
  };
  const confirmDelete = (rule: Rule) => {
    modals.openConfirmModal({
      title: t('firewall.group.deleteRuleTitle', { pos: String(rule.pos), name: group.name }),
      children: (
        <Text size="sm">
          {t('firewall.group.deleteRuleBody', {
            rule: `${rule.type} ${rule.action} ${ruleMatch(rule, t('firewall.group.any'))}`,
          })}
        </Text>
      ),
      labels: {
        confirm: t('firewall.group.deleteRuleConfirm', { pos: String(rule.pos) }),
        cancel: t('common.cancel'),
      },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate({ pos: rule.pos, digest: group.digest }, { onError: failed });
      },
    });
  };
  const last = group.rules.length - 1;
  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {t('firewall.group.rulesTitle')}
        </Title>
        <Can permission="manage_firewall">
          <Button
            size="sm"
            leftSection={<IconPlus size={16} />}
            onClick={() => {
              setEditing('new');
            }}
          >
            {t('firewall.group.addRule')}
          </Button>
        </Can>
      </Group>
      {group.rules.length === 0 ? (
        <Text c="dimmed">{t('firewall.group.noRules')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-label={t('firewall.group.rulesTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('firewall.group.columns.pos')}</Table.Th>
                <Table.Th>{t('firewall.group.columns.direction')}</Table.Th>
                <Table.Th>{t('firewall.group.columns.action')}</Table.Th>
                <Table.Th>{t('firewall.group.columns.match')}</Table.Th>
                <Table.Th>{t('firewall.group.columns.enabled')}</Table.Th>
                <Table.Th>{t('firewall.group.columns.comment')}</Table.Th>
                {canEdit ? (
                  <Table.Th>
                    <VisuallyHidden>{t('firewall.group.columns.actions')}</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {group.rules.map((rule) => (
                <Table.Tr key={rule.pos} data-testid={`rule-${String(rule.pos)}`}>
                  <Table.Td>{rule.pos}</Table.Td>
                  <Table.Td>{rule.type}</Table.Td>
                  <Table.Td>
                    <Badge color={rule.action === 'ACCEPT' ? 'teal' : 'red'} variant="light">
                      {rule.action}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{ruleMatch(rule, t('firewall.group.any'))}</Table.Td>
                  <Table.Td>
                    <Switch
                      checked={rule.enable}
                      disabled={!canEdit || busy}
                      aria-label={t('firewall.group.toggleRule', { pos: String(rule.pos) })}
                      onChange={() => {
                        toggle(rule);
                      }}
                    />
                  </Table.Td>
                  <Table.Td>{rule.comment ?? ''}</Table.Td>
                  {canEdit ? (
                    <Table.Td>
                      <Group gap={2} wrap="nowrap">
                        <Tooltip label={t('firewall.group.moveUp', { pos: String(rule.pos) })}>
                          <ActionIcon
                            variant="subtle"
                            disabled={rule.pos === 0 || busy}
                            aria-label={t('firewall.group.moveUp', { pos: String(rule.pos) })}
                            onClick={() => {
                              move(rule, rule.pos - 1);
                            }}
                          >
                            <IconArrowUp size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('firewall.group.moveDown', { pos: String(rule.pos) })}>
                          <ActionIcon
                            variant="subtle"
                            disabled={rule.pos === last || busy}
                            aria-label={t('firewall.group.moveDown', { pos: String(rule.pos) })}
                            onClick={() => {
                              // Proxmox's moveto: before the rule now at that index, so two down.
                              move(rule, rule.pos + 2);
                            }}
                          >
                            <IconArrowDown size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('firewall.group.editRule', { pos: String(rule.pos) })}>
                          <ActionIcon
                            variant="subtle"
                            aria-label={t('firewall.group.editRule', { pos: String(rule.pos) })}
                            onClick={() => {
                              setEditing(rule);
                            }}
                          >
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('firewall.group.deleteRule', { pos: String(rule.pos) })}>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={t('firewall.group.deleteRule', { pos: String(rule.pos) })}
                            onClick={() => {
                              confirmDelete(rule);
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
      )}
      {editing !== null ? (
        <RuleForm
          group={group.name}
          digest={group.digest}
          rule={editing === 'new' ? null : editing}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
    </Card>
  );
}

function GroupActions({
  group,
  onRename,
  onDelete,
}: {
  group: FirewallGroup;
  onRename: () => void;
  onDelete: (group: FirewallGroup) => void;
}) {
  const { t } = useTranslation();
  return (
    <Can permission="manage_firewall">
      <Group gap="xs">
        <Button variant="default" onClick={onRename}>
          {t('firewall.group.rename')}
        </Button>
        <Button
          color="red"
          variant="light"
          leftSection={<IconTrash size={16} />}
          onClick={() => {
            onDelete(group);
          }}
        >
          {t('firewall.group.delete')}
        </Button>
      </Group>
    </Can>
  );
}

/** One security group: its rules in order, the servers using it, rename and delete. */
export function GroupPage() {
  const { t } = useTranslation();
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const group = useQuery(groupQueryOptions(name));
  const remove = useDeleteGroup();
  const [renaming, setRenaming] = useState(false);
  useDocumentTitle(`${name} · ${t('firewall.title')} · ${t('app.name')}`);

  const confirmDelete = (found: FirewallGroup) => {
    modals.openConfirmModal({
      title: t('firewall.group.deleteTitle', { name: found.name }),
      children: (
        <Stack gap="xs">
          <Text size="sm">{t('firewall.group.deleteBody', { rules: String(found.rules.length) })}</Text>
          {found.servers.length > 0 ? (
            <Text size="sm" fw={500}>
              {t('firewall.group.deleteUsed', { servers: found.servers.join(', ') })}
            </Text>
          ) : null}
        </Stack>
      ),
      labels: {
        confirm: t('firewall.group.deleteConfirm', { name: found.name }),
        cancel: t('common.cancel'),
      },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(
          { name: found.name, force: found.servers.length > 0 },
          {
            onSuccess: () => {
              notifyDone(t('firewall.group.deleted', { name: found.name }));
              void navigate('/firewall');
            },
            onError: (error) => {
              notifyFailed(t('firewall.saveFailed', { error: '' }), error);
            },
          },
        );
      },
    });
  };

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/firewall" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t('firewall.group.back')}
        </Group>
      </Anchor>
      <Group justify="space-between" gap="sm">
        <div>
          <Title order={1} size="h2">
            {name}
          </Title>
          {group.data?.comment ? <Text c="dimmed">{group.data.comment}</Text> : null}
        </div>
        {group.data ? (
          <GroupActions
            group={group.data}
            onRename={() => {
              setRenaming(true);
            }}
            onDelete={confirmDelete}
          />
        ) : null}
      </Group>
      {group.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
          {group.error instanceof ApiError && group.error.status === 404
            ? t('firewall.group.notFound', { name })
            : t('firewall.loadFailed', { error: group.error.message })}
        </Alert>
      ) : group.data ? (
        <>
          <RulesTable group={group.data} />
          <Paper withBorder radius="md" p="lg">
            <Title order={2} size="h4" mb="sm">
              {t('firewall.group.serversTitle')}
            </Title>
            {group.data.servers.length === 0 ? (
              <Text c="dimmed">{t('firewall.group.noServers')}</Text>
            ) : (
              <Group gap="xs" data-testid="group-servers">
                {group.data.servers.map((server) => (
                  <Anchor key={server} component={Link} to={`/servers/${server}`}>
                    {server}
                  </Anchor>
                ))}
              </Group>
            )}
          </Paper>
          {renaming ? (
            <RenameGroup
              group={group.data}
              onClose={() => {
                setRenaming(false);
              }}
            />
          ) : null}
        </>
      ) : (
        <Skeleton h={240} radius="md" aria-busy="true" />
      )}
    </Stack>
  );
}
