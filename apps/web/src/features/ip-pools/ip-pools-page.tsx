import {
  ActionIcon,
  Button,
  Group,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconList, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { IpPoolAddresses } from './ip-pool-addresses';
import { IpPoolForm } from './ip-pool-form';
import { ipPoolsQueryOptions, useDeleteIpPool, type IpPool } from './ip-pools.queries';

/** Asks before deleting, naming the pool; the server refuses a pool holding addresses, and says so. */
function useConfirmDelete(): (pool: IpPool) => void {
  const { t } = useTranslation();
  const remove = useDeleteIpPool();
  return (pool) => {
    modals.openConfirmModal({
      title: t('ipPools.confirmDelete.title', { cidr: pool.cidr }),
      children: (
        <Text size="sm">
          {t('ipPools.confirmDelete.body', {
            cidr: pool.cidr,
            bridge: pool.bridge,
            gateway: pool.gateway,
            start: pool.range_start,
            end: pool.range_end,
          })}
        </Text>
      ),
      labels: {
        confirm: t('ipPools.confirmDelete.confirm', { cidr: pool.cidr }),
        cancel: t('common.cancel'),
      },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        remove.mutate(pool.id, {
          onSuccess: () => {
            notifications.show({
              color: 'teal',
              icon: <IconCheck size={18} />,
              message: t('ipPools.confirmDelete.done', { cidr: pool.cidr }),
            });
          },
          onError: (error) => {
            notifications.show({
              color: 'red',
              title: t('ipPools.confirmDelete.failed', { cidr: pool.cidr }),
              message: error.message,
            });
          },
        });
      },
    });
  };
}

function PoolRow({
  pool,
  onAddresses,
  onEdit,
  onDelete,
}: {
  pool: IpPool;
  onAddresses: () => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const used = pool.capacity - pool.free;
  const percent = pool.capacity > 0 ? Math.round((used / pool.capacity) * 100) : 0;
  const outside = pool.allocated - used;
  return (
    <Table.Tr>
      <Table.Td>{pool.bridge}</Table.Td>
      <Table.Th scope="row">{pool.cidr}</Table.Th>
      <Table.Td>{pool.gateway}</Table.Td>
      <Table.Td>{t('ipPools.rangeText', { start: pool.range_start, end: pool.range_end })}</Table.Td>
      <Table.Td>{pool.dns.length > 0 ? pool.dns.join(', ') : t('ipPools.noDns')}</Table.Td>
      <Table.Td miw={200}>
        <Stack gap={4}>
          <Progress
            value={percent}
            color={percent >= 90 ? 'red' : 'teal'}
            aria-label={t('ipPools.usageLabel', {
              cidr: pool.cidr,
              used: String(used),
              capacity: String(pool.capacity),
            })}
          />
          <Text size="xs" c="dimmed">
            {t('ipPools.usage', {
              used: String(used),
              capacity: String(pool.capacity),
              free: String(pool.free),
            })}
          </Text>
          {outside > 0 ? (
            <Text size="xs" c="dimmed">
              {t('ipPools.outsideRange', { n: String(outside) })}
            </Text>
          ) : null}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Tooltip label={t('ipPools.addresses')}>
            <ActionIcon
              variant="subtle"
              aria-label={t('ipPools.addressesOf', { cidr: pool.cidr })}
              onClick={onAddresses}
            >
              <IconList size={18} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label={t('ipPools.edit')}>
            <ActionIcon
              variant="subtle"
              aria-label={t('ipPools.editOf', { cidr: pool.cidr })}
              onClick={onEdit}
            >
              <IconPencil size={18} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label={t('ipPools.delete')}>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('ipPools.deleteOf', { cidr: pool.cidr })}
              onClick={onDelete}
            >
              <IconTrash size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

type Dialog =
  { kind: 'create' } | { kind: 'edit'; pool: IpPool } | { kind: 'addresses'; pool: IpPool } | null;

/** IP pools with their usage; administrators create, change and delete them. */
export function IpPoolsPage() {
  const { t } = useTranslation();
  const pools = useQuery(ipPoolsQueryOptions);
  const confirmDelete = useConfirmDelete();
  const [dialog, setDialog] = useState<Dialog>(null);
  useDocumentTitle(`${t('ipPools.title')} · ${t('app.name')}`);
  const close = () => {
    setDialog(null);
  };

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('ipPools.title')}
          </Title>
          <Text c="dimmed">{t('ipPools.description')}</Text>
        </div>
        <Button
          leftSection={<IconPlus size={16} />}
          onClick={() => {
            setDialog({ kind: 'create' });
          }}
        >
          {t('ipPools.add')}
        </Button>
      </Group>

      <QueryState
        query={pools}
        errorTitle={t('ipPools.loadFailed')}
        rows={2}
        rowHeight={56}
        isEmpty={(data) => data.length === 0}
        empty={t('ipPools.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={900}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t('ipPools.table.label')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('ipPools.table.bridge')}</Table.Th>
                    <Table.Th>{t('ipPools.table.network')}</Table.Th>
                    <Table.Th>{t('ipPools.table.gateway')}</Table.Th>
                    <Table.Th>{t('ipPools.table.range')}</Table.Th>
                    <Table.Th>{t('ipPools.table.dns')}</Table.Th>
                    <Table.Th>{t('ipPools.table.usage')}</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>{t('ipPools.table.actions')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((pool) => (
                    <PoolRow
                      key={pool.id}
                      pool={pool}
                      onAddresses={() => {
                        setDialog({ kind: 'addresses', pool });
                      }}
                      onEdit={() => {
                        setDialog({ kind: 'edit', pool });
                      }}
                      onDelete={() => {
                        confirmDelete(pool);
                      }}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>

      {dialog?.kind === 'create' ? <IpPoolForm pool={null} onClose={close} /> : null}
      {dialog?.kind === 'edit' ? <IpPoolForm pool={dialog.pool} onClose={close} /> : null}
      {dialog?.kind === 'addresses' ? <IpPoolAddresses pool={dialog.pool} onClose={close} /> : null}
    </Stack>
  );
}
