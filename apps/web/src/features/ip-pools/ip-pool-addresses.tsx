import { Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { ipPoolQueryOptions, type IpPool } from './ip-pools.queries';

/** The addresses held in one pool, and by whom, in a modal. */
export function IpPoolAddresses({ pool, onClose }: { pool: IpPool; onClose: () => void }) {
  const { t } = useTranslation();
  const detail = useQuery(ipPoolQueryOptions(pool.id));
  return (
    <Modal opened onClose={onClose} size="lg" title={t('ipPools.addressesOf', { cidr: pool.cidr })}>
      <Stack gap="md">
        <QueryState query={detail} errorTitle={t('ipPools.allocations.loadFailed')} rows={1} rowHeight={96}>
          {({ allocations }) =>
            allocations.length === 0 ? (
              <Text c="dimmed">{t('ipPools.allocations.empty')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={360}>
                <Table aria-label={t('ipPools.allocations.label')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('ipPools.allocations.address')}</Table.Th>
                      <Table.Th>{t('ipPools.allocations.owner')}</Table.Th>
                      <Table.Th>{t('ipPools.allocations.nic')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {allocations.map((allocation) => (
                      <Table.Tr key={allocation.address}>
                        <Table.Td>{allocation.address}</Table.Td>
                        <Table.Td>{allocation.owner}</Table.Td>
                        <Table.Td>{`net${String(allocation.nic)}`}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('ipPools.allocations.close')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
