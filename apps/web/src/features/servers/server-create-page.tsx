import {
  ActionIcon,
  Alert,
  Autocomplete,
  Button,
  Card,
  Fieldset,
  Group,
  NativeSelect,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconAlertCircle, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../lib/api';
import { NO_ROLE, RoleStep, creationRoleFields, type RoleChoice } from '../roles/role-step';
import { rolesQueryOptions } from '../roles/roles.queries';
import { CreationProgress } from './creation-progress';
import {
  batchNames,
  creationRequest,
  DEFAULT_DISK,
  DEFAULT_NIC,
  DEFAULT_VALUES,
  MAX_DISKS,
  MAX_NICS,
  OS_TYPES,
  validateWizard,
  type DiskValues,
  type NicValues,
  type WizardValues,
} from './server-form';
import {
  clusterStatusQueryOptions,
  datastoresQueryOptions,
  ipPoolsQueryOptions,
  useCreateServers,
  usePreviewCreation,
  type CreationPreview,
} from './servers.queries';

const OS_LABELS: Record<(typeof OS_TYPES)[number], string> = {
  rocky: 'Rocky Linux',
  centos: 'CentOS',
  ubuntu: 'Ubuntu',
  debian: 'Debian',
};
/** The values typed as text into one input each. */
type TextField = {
  [K in keyof WizardValues]: WizardValues[K] extends string
    ? string extends WizardValues[K]
      ? K
      : never
    : never;
}[keyof WizardValues];

/** Shown in the preview before "…". */
const PREVIEW_ALL_UP_TO = 6;

function NamePreview({ values }: { values: WizardValues }) {
  const { t } = useTranslation();
  const names = batchNames(values);
  if (names.length === 0) return null;
  const text =
    names.length <= PREVIEW_ALL_UP_TO
      ? t('servers.wizard.preview', { names: names.join(', ') })
      : t('servers.wizard.previewMore', {
          first: names.slice(0, 3).join(', '),
          last: names[names.length - 1] ?? '',
          count: names.length,
        });
  return (
    <Text size="sm" c="dimmed" data-testid="name-preview" aria-live="polite">
      {text}
    </Text>
  );
}

/** What the API says the request would make: names, nodes and addresses. */
function CreationPlan({ plan }: { plan: CreationPreview }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" data-testid="creation-plan">
      <Text fw={500}>{t('servers.wizard.planTitle')}</Text>
      <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('servers.wizard.planName')}</Table.Th>
              <Table.Th>{t('servers.wizard.planNode')}</Table.Th>
              <Table.Th>{t('servers.wizard.planAddresses')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {plan.servers.map((server) => (
              <Table.Tr key={server.name}>
                <Table.Td>{server.name}</Table.Td>
                <Table.Td>{server.node}</Table.Td>
                <Table.Td>
                  {server.networks
                    .map(
                      (nic) =>
                        `${nic.ip_address ?? t('servers.wizard.planNoAddress')}${nic.auto ? ` (${t('servers.wizard.planAuto')})` : ''}`,
                    )
                    .join(', ')}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed">
        {t('servers.wizard.planNote')}
      </Text>
    </Stack>
  );
}

/** The form: every field the API takes, checked as the API checks it, and the API's own faults shown in place. */
function CreationForm({ onAccepted }: { onAccepted: (taskId: string) => void }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<WizardValues>(DEFAULT_VALUES);
  const [submitted, setSubmitted] = useState(false);
  const [apiFaults, setApiFaults] = useState<Readonly<Record<string, string>>>({});
  const create = useCreateServers();
  const preview = usePreviewCreation();
  const datastores = useQuery(datastoresQueryOptions);
  const pools = useQuery({ ...ipPoolsQueryOptions, retry: false });
  const cluster = useQuery(clusterStatusQueryOptions);
  const roles = useQuery(rolesQueryOptions);
  const [roleChoice, setRoleChoice] = useState<RoleChoice>(NO_ROLE);
  const roleFields = creationRoleFields(roleChoice, roles.data, {
    required: t('ansibleRoles.assign.requiredField'),
    integer: t('ansibleRoles.assign.integerField'),
  });
  /** The request with the role, when one is chosen. */
  const request = () => {
    const base = creationRequest(values);
    return 'single' in base
      ? { single: { ...base.single, ...roleFields.fields } }
      : { bulk: { ...base.bulk, ...roleFields.fields } };
  };
  const roleErrors: Record<string, string> = {
    ...Object.fromEntries(Object.entries(apiFaults).filter(([path]) => /^role(_variables\.|$)/.test(path))),
    ...(submitted ? roleFields.problems : {}),
  };

  const faults = submitted ? validateWizard(values) : {};
  const errorOf = (path: string): string | undefined => {
    const rule = faults[path];
    return rule ? t(`servers.rules.${rule}`) : apiFaults[path];
  };
  /** Changes the values; the API's fault of a changed field no longer applies. */
  const update = (paths: string[], change: (previous: WizardValues) => WizardValues) => {
    setValues(change);
    if (paths.some((path) => path in apiFaults))
      setApiFaults((previous) =>
        Object.fromEntries(Object.entries(previous).filter(([key]) => !paths.includes(key))),
      );
  };
  const text = (name: TextField) => ({
    value: values[name],
    error: errorOf(name),
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      update([name], (previous) => ({ ...previous, [name]: value }));
    },
  });
  const setDisk = (index: number, field: keyof DiskValues, value: string) => {
    update([`disks.${String(index)}.${field}`], (previous) => ({
      ...previous,
      disks: previous.disks.map((disk, at) => (at === index ? { ...disk, [field]: value } : disk)),
    }));
  };
  const setNic = (index: number, field: keyof NicValues, value: string) => {
    update(
      [`network_devices.${String(index)}.${field}`, `network_devices.${String(index)}.ip_address`],
      (previous) => ({
        ...previous,
        network_devices: previous.network_devices.map((nic, at) =>
          at === index ? { ...nic, [field]: value } : nic,
        ),
      }),
    );
  };

  const bridges = [...new Set((pools.data ?? []).map((pool) => pool.bridge))];
  const imageStores = (datastores.data?.datastores ?? []).filter((store) => store.content.includes('images'));
  const nodes = cluster.data?.stats.nodes.map((node) => node.node) ?? [];
  const count = batchNames(values).length;
  const knownPaths = new Set([
    'name',
    'base_name',
    'count',
    'start_index',
    'os_type',
    'cpu',
    'memory',
    'node',
  ]);
  const otherApiFaults = Object.entries(apiFaults).filter(
    ([path]) =>
      !knownPaths.has(path) &&
      !/^(disks\.\d+\.size_gb|network_devices\.\d+\.(bridge|ip_address)|firewall_group|vm_username|vm_password|ssh_keys|tags|description|role|role_variables\..+)$/.test(
        path,
      ),
  );

  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateWizard(values)).length > 0 || Object.keys(roleFields.problems).length > 0) return;
    create.mutate(request(), {
      onSuccess: (accepted) => {
        onAccepted(accepted.task_id);
      },
      onError: (error) => {
        if (error instanceof ApiError) setApiFaults(error.fields);
      },
    });
  };
  const checkAndPreview = () => {
    setSubmitted(true);
    if (Object.keys(validateWizard(values)).length > 0 || Object.keys(roleFields.problems).length > 0) return;
    preview.mutate(request(), {
      onError: (error) => {
        if (error instanceof ApiError) setApiFaults(error.fields);
      },
    });
  };
  const hasFaults =
    Object.keys(faults).length > 0 || (submitted && Object.keys(roleFields.problems).length > 0);

  return (
    <form onSubmit={submit} noValidate aria-label={t('servers.wizard.title')}>
      <Stack gap="md">
        <Fieldset legend={t('servers.wizard.mode')}>
          <Stack gap="sm">
            <SegmentedControl
              aria-label={t('servers.wizard.mode')}
              value={values.mode}
              onChange={(mode) => {
                update([], (previous) => ({ ...previous, mode: mode === 'batch' ? 'batch' : 'single' }));
              }}
              data={[
                { value: 'single', label: t('servers.wizard.single') },
                { value: 'batch', label: t('servers.wizard.batch') },
              ]}
            />
            {values.mode === 'single' ? (
              <TextInput label={t('servers.wizard.name')} required placeholder="web-01" {...text('name')} />
            ) : (
              <>
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <TextInput
                    label={t('servers.wizard.baseName')}
                    required
                    placeholder="web"
                    {...text('base_name')}
                  />
                  <TextInput label={t('servers.wizard.count')} inputMode="numeric" {...text('count')} />
                  <TextInput
                    label={t('servers.wizard.startIndex')}
                    inputMode="numeric"
                    {...text('start_index')}
                  />
                </SimpleGrid>
                <NamePreview values={values} />
              </>
            )}
          </Stack>
        </Fieldset>

        <Fieldset legend={t('servers.wizard.os')}>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NativeSelect
              label={t('servers.wizard.os')}
              value={values.os_type}
              error={errorOf('os_type')}
              onChange={(event) => {
                const chosen = OS_TYPES.find((os) => os === event.currentTarget.value) ?? 'rocky';
                update(['os_type'], (previous) => ({ ...previous, os_type: chosen }));
              }}
              data={OS_TYPES.map((os) => ({ value: os, label: OS_LABELS[os] }))}
            />
            <TextInput label={t('servers.wizard.cpu')} inputMode="numeric" {...text('cpu')} />
            <TextInput label={t('servers.wizard.memory')} inputMode="numeric" {...text('memory')} />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend={t('servers.wizard.disks')}>
          <Stack gap="sm">
            {values.disks.map((disk, index) => {
              const label = t('servers.wizard.disk', { index: String(index + 1) });
              return (
                <Group key={index} align="flex-end" gap="sm" role="group" aria-label={label} wrap="wrap">
                  <TextInput
                    label={t('servers.wizard.sizeGb')}
                    inputMode="numeric"
                    w={120}
                    value={disk.size_gb}
                    error={errorOf(`disks.${String(index)}.size_gb`)}
                    onChange={(event) => {
                      setDisk(index, 'size_gb', event.currentTarget.value);
                    }}
                  />
                  <NativeSelect
                    label={t('servers.wizard.diskType')}
                    value={disk.disk_type}
                    onChange={(event) => {
                      setDisk(index, 'disk_type', event.currentTarget.value === 'ssd' ? 'ssd' : 'hdd');
                    }}
                    data={[
                      { value: 'hdd', label: 'HDD' },
                      { value: 'ssd', label: 'SSD' },
                    ]}
                  />
                  <NativeSelect
                    label={t('servers.wizard.datastore')}
                    value={disk.datastore_id}
                    error={errorOf(`disks.${String(index)}.datastore_id`)}
                    onChange={(event) => {
                      setDisk(index, 'datastore_id', event.currentTarget.value);
                    }}
                    data={[
                      { value: 'auto', label: t('servers.wizard.auto') },
                      ...imageStores.map((store) => ({
                        value: store.id,
                        label: store.node ? `${store.id} (${store.node})` : store.id,
                      })),
                    ]}
                  />
                  {values.disks.length > 1 ? (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      size="lg"
                      aria-label={t('servers.wizard.removeDisk', { index: String(index + 1) })}
                      onClick={() => {
                        update([], (previous) => ({
                          ...previous,
                          disks: previous.disks.filter((_, at) => at !== index),
                        }));
                        setApiFaults({});
                      }}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  ) : null}
                </Group>
              );
            })}
            {values.disks.length < MAX_DISKS ? (
              <Button
                variant="subtle"
                leftSection={<IconPlus size={16} />}
                w="fit-content"
                onClick={() => {
                  update([], (previous) => ({ ...previous, disks: [...previous.disks, DEFAULT_DISK] }));
                }}
              >
                {t('servers.wizard.addDisk')}
              </Button>
            ) : null}
          </Stack>
        </Fieldset>

        <Fieldset legend={t('servers.wizard.nics')}>
          <Stack gap="sm">
            {values.network_devices.map((nic, index) => {
              const label = t('servers.wizard.nic', { index: String(index + 1) });
              return (
                <Group key={index} align="flex-end" gap="sm" role="group" aria-label={label} wrap="wrap">
                  <Autocomplete
                    label={t('servers.wizard.bridge')}
                    w={140}
                    data={bridges}
                    value={nic.bridge}
                    error={errorOf(`network_devices.${String(index)}.bridge`)}
                    onChange={(value) => {
                      setNic(index, 'bridge', value);
                    }}
                  />
                  <Stack gap={4}>
                    <Text size="sm" fw={500}>
                      {t('servers.wizard.ipMode')}
                    </Text>
                    <SegmentedControl
                      aria-label={`${label}: ${t('servers.wizard.ipMode')}`}
                      value={nic.ip_mode}
                      onChange={(mode) => {
                        setNic(index, 'ip_mode', mode === 'fixed' ? 'fixed' : 'auto');
                      }}
                      data={[
                        { value: 'auto', label: t('servers.wizard.ipAuto') },
                        { value: 'fixed', label: t('servers.wizard.ipFixed') },
                      ]}
                    />
                  </Stack>
                  {nic.ip_mode === 'fixed' ? (
                    <TextInput
                      label={t('servers.wizard.ipAddress')}
                      placeholder="10.10.0.50"
                      value={nic.ip_address}
                      error={errorOf(`network_devices.${String(index)}.ip_address`)}
                      onChange={(event) => {
                        setNic(index, 'ip_address', event.currentTarget.value);
                      }}
                    />
                  ) : errorOf(`network_devices.${String(index)}.ip_address`) ? (
                    <Text size="sm" c="red" role="alert">
                      {errorOf(`network_devices.${String(index)}.ip_address`)}
                    </Text>
                  ) : null}
                  {values.network_devices.length > 1 ? (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      size="lg"
                      aria-label={t('servers.wizard.removeNic', { index: String(index + 1) })}
                      onClick={() => {
                        update([], (previous) => ({
                          ...previous,
                          network_devices: previous.network_devices.filter((_, at) => at !== index),
                        }));
                        setApiFaults({});
                      }}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  ) : null}
                </Group>
              );
            })}
            {values.network_devices.length < MAX_NICS ? (
              <Button
                variant="subtle"
                leftSection={<IconPlus size={16} />}
                w="fit-content"
                onClick={() => {
                  update([], (previous) => ({
                    ...previous,
                    network_devices: [...previous.network_devices, DEFAULT_NIC],
                  }));
                }}
              >
                {t('servers.wizard.addNic')}
              </Button>
            ) : null}
          </Stack>
        </Fieldset>

        <Fieldset legend={t('servers.wizard.placement')}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label={t('servers.wizard.node')}
              value={values.node}
              error={errorOf('node')}
              onChange={(event) => {
                const node = event.currentTarget.value;
                update(['node'], (previous) => ({ ...previous, node }));
              }}
              data={[{ value: '', label: t('servers.wizard.nodeAuto') }, ...nodes]}
            />
            <TextInput
              label={t('servers.wizard.firewallGroup')}
              description={t('servers.wizard.firewallGroupHint')}
              {...text('firewall_group')}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend={t('servers.wizard.access')}>
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('servers.wizard.username')}
                description={t('servers.wizard.usernameHint')}
                autoComplete="off"
                {...text('vm_username')}
              />
              <PasswordInput
                label={t('servers.wizard.password')}
                autoComplete="new-password"
                {...text('vm_password')}
              />
            </SimpleGrid>
            <Textarea
              label={t('servers.wizard.sshKeys')}
              description={t('servers.wizard.sshKeysHint')}
              autosize
              minRows={2}
              {...text('ssh_keys')}
            />
            {!values.vm_password && !values.ssh_keys.trim() ? (
              <Text size="sm" c="dimmed" data-testid="generated-note">
                {t('servers.wizard.generatedNote')}
              </Text>
            ) : null}
          </Stack>
        </Fieldset>

        <Fieldset legend={t('servers.wizard.extra')}>
          <Stack gap="sm">
            <TextInput
              label={t('servers.wizard.tags')}
              description={t('servers.wizard.tagsHint')}
              {...text('tags')}
            />
            <Textarea label={t('servers.wizard.notes')} autosize minRows={2} {...text('description')} />
          </Stack>
        </Fieldset>

        <RoleStep
          choice={roleChoice}
          errors={roleErrors}
          onChange={(choice) => {
            setRoleChoice(choice);
            setApiFaults((previous) =>
              Object.fromEntries(
                Object.entries(previous).filter(([path]) => !/^role(_variables\.|$)/.test(path)),
              ),
            );
          }}
        />

        {hasFaults ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
            {t('servers.wizard.fixErrors')}
          </Alert>
        ) : null}
        {create.isError ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
            {t('servers.wizard.rejected', { error: create.error.message })}
            {otherApiFaults.length > 0 ? (
              <ul>
                {otherApiFaults.map(([path, message]) => (
                  <li key={path}>
                    {path}: {message}
                  </li>
                ))}
              </ul>
            ) : null}
          </Alert>
        ) : null}
        {preview.data ? <CreationPlan plan={preview.data} /> : null}
        <Group justify="flex-end">
          <Button variant="default" loading={preview.isPending} onClick={checkAndPreview}>
            {t('servers.wizard.checkPreview')}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {values.mode === 'batch' && count > 0
              ? t('servers.wizard.submitBatch', { count })
              : t('servers.wizard.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** /servers/new: the form, then the creation task's progress and, once, the generated passwords. */
export function ServerCreatePage() {
  const { t } = useTranslation();
  const [taskId, setTaskId] = useState<string | null>(null);
  useDocumentTitle(`${t('servers.wizard.title')} · ${t('app.name')}`);
  return (
    <Stack gap="lg" maw={960}>
      <div>
        <Title order={1} size="h2">
          {t('servers.wizard.title')}
        </Title>
        <Text c="dimmed">{t('servers.wizard.description')}</Text>
      </div>
      <Card withBorder padding="lg" radius="md">
        {taskId ? (
          <CreationProgress
            taskId={taskId}
            onCreateMore={() => {
              setTaskId(null);
            }}
          />
        ) : (
          <CreationForm onAccepted={setTaskId} />
        )}
      </Card>
    </Stack>
  );
}
