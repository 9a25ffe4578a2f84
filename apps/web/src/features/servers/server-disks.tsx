import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertCircle, IconArrowsMaximize, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queryKeys } from '../../lib/query-keys';
import { ActionProgress } from './action-progress';
import {
  DISK_INTERFACES,
  datastoresQueryOptions,
  serverConfigQueryOptions,
  useDiskChange,
  type DiskInterface,
  type ServerConfig,
} from './servers.queries';

type ConfigDisk = ServerConfig['disks'][number];

/** Add a disk: size, interface, and a datastore of the server's node holding disk images. */
function AddDiskModal({
  config,
  onClose,
  onConfirm,
}: {
  config: ServerConfig;
  onClose: () => void;
  onConfirm: (body: { size_gb: number; interface: DiskInterface; datastore?: string }) => void;
}) {
  const { t } = useTranslation();
  const datastores = useQuery(datastoresQueryOptions);
  const [size, setSize] = useState<number | string>(10);
  const [bus, setBus] = useState<DiskInterface>('scsi');
  const [datastore, setDatastore] = useState('');
  const usable = [
    ...new Set(
      (datastores.data?.datastores ?? [])
        .filter(
          (store) =>
            store.active && store.content.includes('images') && (store.shared || store.node === config.node),
        )
        .map((store) => store.id),
    ),
  ];
  const gb = Number(size);
  const valid = Number.isInteger(gb) && gb >= 1 && gb <= 65536;
  return (
    <Modal opened onClose={onClose} title={t('servers.diskOps.addTitle', { name: config.name })}>
      <Stack gap="sm">
        <NumberInput
          label={t('servers.diskOps.sizeGb')}
          min={1}
          max={65536}
          value={size}
          onChange={setSize}
          error={valid ? undefined : t('servers.rules.diskSize')}
          data-autofocus
        />
        <div>
          <Text size="sm" fw={500} mb={4} id="disk-interface-label">
            {t('servers.diskOps.interface')}
          </Text>
          <SegmentedControl
            aria-labelledby="disk-interface-label"
            value={bus}
            onChange={(value) => {
              setBus(DISK_INTERFACES.find((candidate) => candidate === value) ?? 'scsi');
            }}
            data={DISK_INTERFACES.map((value) => ({ value, label: value }))}
          />
        </div>
        <NativeSelect
          label={t('servers.diskOps.datastore')}
          value={datastore}
          onChange={(event) => {
            setDatastore(event.currentTarget.value);
          }}
          data={[{ value: '', label: t('servers.diskOps.datastoreDefault') }, ...usable]}
        />
        {datastores.isSuccess && usable.length === 0 ? (
          <Text size="xs" c="dimmed">
            {t('servers.diskOps.noDatastores')}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('servers.actions.cancel')}
          </Button>
          <Button
            disabled={!valid}
            onClick={() => {
              onConfirm({ size_gb: gb, interface: bus, ...(datastore ? { datastore } : {}) });
            }}
          >
            {t('servers.diskOps.addConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Grow a disk: larger only. */
function GrowDiskModal({
  name,
  disk,
  onClose,
  onConfirm,
}: {
  name: string;
  disk: ConfigDisk;
  onClose: () => void;
  onConfirm: (size: number) => void;
}) {
  const { t } = useTranslation();
  const [size, setSize] = useState<number | string>(disk.size_gb + 10);
  const gb = Number(size);
  const valid = Number.isInteger(gb) && gb > disk.size_gb && gb <= 65536;
  return (
    <Modal opened onClose={onClose} title={t('servers.diskOps.growTitle', { device: disk.device, name })}>
      <Stack gap="sm">
        <Text size="sm">{t('servers.diskOps.growHint', { size: String(disk.size_gb) })}</Text>
        <NumberInput
          label={t('servers.diskOps.newSize')}
          min={disk.size_gb + 1}
          max={65536}
          value={size}
          onChange={setSize}
          error={valid ? undefined : t('servers.diskOps.tooSmall', { size: String(disk.size_gb) })}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('servers.actions.cancel')}
          </Button>
          <Button
            disabled={!valid}
            onClick={() => {
              onConfirm(gb);
            }}
          >
            {t('servers.diskOps.growConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * The disks as Proxmox holds them (the boot disk marked, never removable), with add, grow and remove, each a
 * task followed to its end; removal asks first, naming the disk and that its data is destroyed.
 */
export function ServerDisks({ name, canEdit }: { name: string; canEdit: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const config = useQuery(serverConfigQueryOptions(name));
  const change = useDiskChange(name);
  const [dialog, setDialog] = useState<{ add: true } | { grow: ConfigDisk } | null>(null);
  const [current, setCurrent] = useState<{ taskId: string; label: string } | null>(null);
  const onEnd = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.servers.config(name) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.servers.detail(name) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.servers.logsOf(name) });
  }, [name, queryClient]);
  const start = (request: Parameters<typeof change.mutate>[0], label: string) => {
    setDialog(null);
    change.mutate(request, {
      onSuccess: (accepted) => {
        setCurrent({ taskId: accepted.task_id, label });
      },
    });
  };
  const confirmRemove = (disk: ConfigDisk) => {
    modals.openConfirmModal({
      title: t('servers.diskOps.removeTitle', { device: disk.device, name }),
      children: (
        <Text size="sm">
          {t('servers.diskOps.removeBody', {
            device: disk.device,
            size: String(disk.size_gb),
            datastore: disk.datastore,
            volume: disk.volume,
          })}
        </Text>
      ),
      labels: {
        confirm: t('servers.diskOps.removeConfirm', { device: disk.device }),
        cancel: t('servers.actions.cancel'),
      },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        start(
          { remove: { device: disk.device } },
          t('servers.diskOps.removing', { device: disk.device, name }),
        );
      },
    });
  };

  return (
    <Card withBorder padding="lg" radius="md" data-testid="server-disks">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {t('servers.diskOps.title')}
        </Title>
        {canEdit && config.data ? (
          <Button
            variant="light"
            leftSection={<IconPlus size={16} />}
            loading={change.isPending}
            onClick={() => {
              setDialog({ add: true });
            }}
          >
            {t('servers.diskOps.add')}
          </Button>
        ) : null}
      </Group>
      <Stack gap="sm">
        {change.isError ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />}>
            {t('servers.actions.refused', { error: change.error.message })}
          </Alert>
        ) : null}
        {current ? (
          <ActionProgress key={current.taskId} taskId={current.taskId} label={current.label} onEnd={onEnd} />
        ) : null}
        {config.isError ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />}>
            {t('servers.config.loadError', { error: config.error.message })}
          </Alert>
        ) : config.data ? (
          config.data.disks.length === 0 ? (
            <Text c="dimmed" size="sm">
              {t('servers.diskOps.empty')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={520}>
              <Table aria-label={t('servers.diskOps.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('servers.detail.device')}</Table.Th>
                    <Table.Th>{t('servers.detail.datastore')}</Table.Th>
                    <Table.Th>{t('servers.detail.size')}</Table.Th>
                    <Table.Th>{t('servers.diskOps.volume')}</Table.Th>
                    {canEdit ? <Table.Th>{t('servers.diskOps.actions')}</Table.Th> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {config.data.disks.map((disk) => (
                    <Table.Tr key={disk.device} data-testid={`disk-${disk.device}`}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          {disk.device}
                          {disk.boot ? (
                            <Tooltip label={t('servers.diskOps.bootHint')}>
                              <Badge size="sm" variant="light">
                                {t('servers.diskOps.boot')}
                              </Badge>
                            </Tooltip>
                          ) : null}
                        </Group>
                      </Table.Td>
                      <Table.Td>{disk.datastore}</Table.Td>
                      <Table.Td>{disk.size_gb} GB</Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed">
                          {disk.volume}
                        </Text>
                      </Table.Td>
                      {canEdit ? (
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            <Tooltip label={t('servers.diskOps.grow')}>
                              <ActionIcon
                                variant="subtle"
                                aria-label={t('servers.diskOps.growAria', { device: disk.device })}
                                onClick={() => {
                                  setDialog({ grow: disk });
                                }}
                              >
                                <IconArrowsMaximize size={16} />
                              </ActionIcon>
                            </Tooltip>
                            {disk.boot ? null : (
                              <Tooltip label={t('servers.diskOps.remove')}>
                                <ActionIcon
                                  variant="subtle"
                                  color="red"
                                  aria-label={t('servers.diskOps.removeAria', { device: disk.device })}
                                  onClick={() => {
                                    confirmRemove(disk);
                                  }}
                                >
                                  <IconTrash size={16} />
                                </ActionIcon>
                              </Tooltip>
                            )}
                          </Group>
                        </Table.Td>
                      ) : null}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        ) : (
          <Skeleton h={120} radius="md" />
        )}
      </Stack>
      {dialog && 'add' in dialog && config.data ? (
        <AddDiskModal
          config={config.data}
          onClose={() => {
            setDialog(null);
          }}
          onConfirm={(body) => {
            start({ add: body }, t('servers.diskOps.adding', { size: String(body.size_gb), name }));
          }}
        />
      ) : null}
      {dialog && 'grow' in dialog ? (
        <GrowDiskModal
          name={name}
          disk={dialog.grow}
          onClose={() => {
            setDialog(null);
          }}
          onConfirm={(size) => {
            start(
              { grow: { device: dialog.grow.device, size_gb: size } },
              t('servers.diskOps.growing', { device: dialog.grow.device, name, size: String(size) }),
            );
          }}
        />
      ) : null}
    </Card>
  );
}
