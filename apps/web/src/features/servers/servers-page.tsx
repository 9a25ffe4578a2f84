import {
  Anchor,
  Button,
  Card,
  Checkbox,
  Group,
  NativeSelect,
  Pagination,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedCallback, useDocumentTitle, useMediaQuery } from '@mantine/hooks';
import { IconChevronDown, IconChevronUp, IconPlus, IconSearch, IconSelector } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { QueryState } from '../../components/query-state';
import { Can, usePermission } from '../../lib/permissions';
import { usePollInterval } from '../../lib/sse';
import { BulkRoleButton } from '../roles/bulk-role';
import { BulkActionBar, RowActions, useBulkActions } from './bulk-actions';
import { formatBytes, percent } from './server-format';
import { ServerStatusBadge } from './server-status-badge';
import {
  clusterStatusQueryOptions,
  PAGE_SIZE,
  SERVER_STATUSES,
  SERVERS_POLL_MS,
  serverListQueryOptions,
  type Server,
  type ServerListQuery,
  type ServerSort,
  type ServerStatus,
} from './servers.queries';
import { SyncServersButton } from './sync-servers';
import { BulkFirewallButton } from '../firewall/bulk-firewall';
import { DriftBadge, useDriftByServer } from '../firewall/server-firewall-card';

const SORTABLE = ['name', 'status', 'node', 'vmid'] as const;
type SortField = (typeof SORTABLE)[number];
const SORTS: readonly ServerSort[] = SORTABLE.flatMap((field) => [field, `-${field}` as const]);

function isStatus(value: string | null): value is ServerStatus {
  return SERVER_STATUSES.some((status) => status === value);
}

function isSort(value: string | null): value is ServerSort {
  return SORTS.some((sort) => sort === value);
}

/** The list's filters, search, sort and page, kept in the address (`?status=running&q=10.10&sort=-name`). */
export interface ServerFilters {
  q: string;
  status: ServerStatus | null;
  node: string;
  role: string;
  firewall_group: string;
  sort: ServerSort;
  page: number;
}

const TEXT_FILTERS = ['q', 'node', 'role', 'firewall_group'] as const;

export function filtersFromSearch(params: URLSearchParams): ServerFilters {
  const status = params.get('status');
  const sort = params.get('sort');
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    status: isStatus(status) ? status : null,
    node: params.get('node') ?? '',
    role: params.get('role') ?? '',
    firewall_group: params.get('firewall_group') ?? '',
    sort: isSort(sort) ? sort : 'name',
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}

function searchFromFilters(filters: ServerFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const name of TEXT_FILTERS) if (filters[name].trim()) search.set(name, filters[name].trim());
  if (filters.status) search.set('status', filters.status);
  if (filters.sort !== 'name') search.set('sort', filters.sort);
  if (filters.page > 1) search.set('page', String(filters.page));
  return search;
}

export function listQuery(filters: ServerFilters): ServerListQuery {
  const query: ServerListQuery = { page: filters.page, per_page: PAGE_SIZE, sort: filters.sort };
  for (const name of TEXT_FILTERS) if (filters[name].trim()) query[name] = filters[name].trim();
  if (filters.status) query.status = filters.status;
  return query;
}

function Dash() {
  const { t } = useTranslation();
  return (
    <Text span c="dimmed">
      {t('servers.none')}
    </Text>
  );
}

function CpuFigure({ server }: { server: Server }) {
  if (!server.live || server.status !== 'running') return <Dash />;
  const share = percent(server.live.cpu_usage);
  return (
    <Stack gap={2} miw={70}>
      <Text size="sm">{share}%</Text>
      <Progress value={share} size="xs" aria-hidden />
    </Stack>
  );
}

function MemoryFigure({ server }: { server: Server }) {
  if (!server.live || server.status !== 'running' || server.live.maxmem_bytes === 0) return <Dash />;
  const share = percent(server.live.mem_bytes / server.live.maxmem_bytes);
  return (
    <Stack gap={2} miw={110}>
      <Text size="sm">
        {formatBytes(server.live.mem_bytes)} / {formatBytes(server.live.maxmem_bytes)}
      </Text>
      <Progress value={share} size="xs" aria-hidden />
    </Stack>
  );
}

function ServerLink({ server }: { server: Server }) {
  return (
    <Anchor component={Link} to={`/servers/${server.name}`} fw={500}>
      {server.name}
    </Anchor>
  );
}

function IpList({ server }: { server: Server }) {
  return server.ip_addresses.length > 0 ? <Text size="sm">{server.ip_addresses.join(', ')}</Text> : <Dash />;
}

function SortHeader({
  field,
  filters,
  onSort,
  children,
}: {
  field: SortField;
  filters: ServerFilters;
  onSort: (sort: ServerSort) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const ascending = filters.sort === field;
  const descending = filters.sort === `-${field}`;
  const Icon = ascending ? IconChevronUp : descending ? IconChevronDown : IconSelector;
  return (
    <Table.Th aria-sort={ascending ? 'ascending' : descending ? 'descending' : 'none'}>
      <UnstyledButton
        onClick={() => {
          onSort(ascending ? `-${field}` : field);
        }}
        aria-label={t('servers.sortBy', { column: t(`servers.columns.${field}`) })}
      >
        <Group gap={4} wrap="nowrap">
          <Text fw={700} size="sm">
            {children}
          </Text>
          <Icon size={14} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

interface SelectionProps {
  servers: Server[];
  selected: ReadonlySet<string>;
  onToggle: (name: string) => void;
  onToggleAll: () => void;
  /** One server's quick actions (only for users who may manage servers). */
  rowActions?: ((server: Server) => ReactNode) | undefined;
}

function ServerTable({
  servers,
  filters,
  onSort,
  selected,
  onToggle,
  onToggleAll,
  rowActions,
}: SelectionProps & { filters: ServerFilters; onSort: (sort: ServerSort) => void }) {
  const { t } = useTranslation();
  const drift = useDriftByServer();
  const all = servers.length > 0 && servers.every((server) => selected.has(server.name));
  const some = servers.some((server) => selected.has(server.name));
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table
        striped
        highlightOnHover
        verticalSpacing="xs"
        horizontalSpacing="xs"
        aria-label={t('servers.title')}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                aria-label={t('servers.selectAll')}
                checked={all}
                indeterminate={some && !all}
                onChange={onToggleAll}
              />
            </Table.Th>
            <SortHeader field="name" filters={filters} onSort={onSort}>
              {t('servers.columns.name')}
            </SortHeader>
            <SortHeader field="status" filters={filters} onSort={onSort}>
              {t('servers.columns.status')}
            </SortHeader>
            <SortHeader field="node" filters={filters} onSort={onSort}>
              {t('servers.columns.node')}
            </SortHeader>
            <Table.Th>{t('servers.columns.ips')}</Table.Th>
            <Table.Th>{t('servers.columns.os')}</Table.Th>
            <Table.Th>{t('servers.columns.role')}</Table.Th>
            <Table.Th>{t('servers.columns.firewallGroup')}</Table.Th>
            <Table.Th>{t('servers.columns.cpu')}</Table.Th>
            <Table.Th>{t('servers.columns.memory')}</Table.Th>
            <SortHeader field="vmid" filters={filters} onSort={onSort}>
              {t('servers.columns.vmid')}
            </SortHeader>
            {rowActions ? (
              <Table.Th w={48}>
                <VisuallyHidden>{t('servers.columns.actions')}</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {servers.map((server) => (
            <Table.Tr key={server.name} data-testid={`server-row-${server.name}`}>
              <Table.Td>
                <Checkbox
                  aria-label={t('servers.selectOne', { name: server.name })}
                  checked={selected.has(server.name)}
                  onChange={() => {
                    onToggle(server.name);
                  }}
                />
              </Table.Td>
              <Table.Td>
                <ServerLink server={server} />
              </Table.Td>
              <Table.Td>
                <ServerStatusBadge status={server.status} />
              </Table.Td>
              <Table.Td>{server.node ?? <Dash />}</Table.Td>
              <Table.Td>
                <IpList server={server} />
              </Table.Td>
              <Table.Td>{server.os_type ?? <Dash />}</Table.Td>
              <Table.Td>{server.role ?? <Dash />}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {server.firewall_group ?? <Dash />}
                  <DriftBadge drift={drift.get(server.name)} />
                </Group>
              </Table.Td>
              <Table.Td>
                <CpuFigure server={server} />
              </Table.Td>
              <Table.Td>
                <MemoryFigure server={server} />
              </Table.Td>
              <Table.Td>{server.vmid ?? <Dash />}</Table.Td>
              {rowActions ? <Table.Td>{rowActions(server)}</Table.Td> : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** On a phone: one card per server. */
function ServerCards({ servers, selected, onToggle, rowActions }: SelectionProps) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" role="list" aria-label={t('servers.title')}>
      {servers.map((server) => (
        <Card
          key={server.name}
          withBorder
          padding="sm"
          role="listitem"
          data-testid={`server-row-${server.name}`}
        >
          <Group justify="space-between" wrap="nowrap">
            <Group gap="xs" wrap="nowrap">
              <Checkbox
                aria-label={t('servers.selectOne', { name: server.name })}
                checked={selected.has(server.name)}
                onChange={() => {
                  onToggle(server.name);
                }}
              />
              <ServerLink server={server} />
            </Group>
            <Group gap={4} wrap="nowrap">
              <ServerStatusBadge status={server.status} />
              {rowActions?.(server)}
            </Group>
          </Group>
          <Text size="sm" c="dimmed" mt={4}>
            {[server.node, server.os_type, server.vmid === null ? null : `VMID ${String(server.vmid)}`]
              .filter(Boolean)
              .join(' · ')}
          </Text>
          <IpList server={server} />
          <Group grow mt={6} align="flex-start">
            <div>
              <Text size="xs" c="dimmed">
                {t('servers.columns.cpu')}
              </Text>
              <CpuFigure server={server} />
            </div>
            <div>
              <Text size="xs" c="dimmed">
                {t('servers.columns.memory')}
              </Text>
              <MemoryFigure server={server} />
            </div>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

function FilterBar({
  filters,
  onChange,
}: {
  filters: ServerFilters;
  onChange: (next: Partial<ServerFilters>) => void;
}) {
  const { t } = useTranslation();
  const cluster = useQuery(clusterStatusQueryOptions);
  const nodes = cluster.data?.stats.nodes.map((node) => node.node) ?? [];
  if (filters.node && !nodes.includes(filters.node)) nodes.push(filters.node);
  // Typing is written to the address a moment after the last key, not at every key.
  const [text, setText] = useState({
    q: filters.q,
    role: filters.role,
    firewall_group: filters.firewall_group,
  });
  const commit = useDebouncedCallback((next: Partial<ServerFilters>) => {
    onChange(next);
  }, 300);
  const textInput = (name: 'q' | 'role' | 'firewall_group', label: string, extra: object = {}) => (
    <TextInput
      label={label}
      value={text[name]}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setText((previous) => ({ ...previous, [name]: value }));
        commit({ [name]: value });
      }}
      {...extra}
    />
  );
  return (
    <Group role="group" aria-label={t('servers.filters.label')} align="flex-end" gap="sm">
      {textInput('q', t('servers.filters.search'), {
        placeholder: t('servers.filters.searchPlaceholder'),
        leftSection: <IconSearch size={16} />,
        type: 'search',
        w: 240,
      })}
      <NativeSelect
        label={t('servers.filters.status')}
        value={filters.status ?? ''}
        onChange={(event) => {
          const value = event.currentTarget.value;
          onChange({ status: isStatus(value) ? value : null });
        }}
        data={[
          { value: '', label: t('servers.filters.any') },
          ...SERVER_STATUSES.map((status) => ({ value: status, label: t(`servers.statuses.${status}`) })),
        ]}
      />
      <NativeSelect
        label={t('servers.filters.node')}
        value={filters.node}
        onChange={(event) => {
          onChange({ node: event.currentTarget.value });
        }}
        data={[{ value: '', label: t('servers.filters.any') }, ...nodes]}
      />
      {textInput('role', t('servers.filters.role'), { w: 140 })}
      {textInput('firewall_group', t('servers.filters.firewallGroup'), { w: 160 })}
    </Group>
  );
}

/** Every server: filtered, searched, sorted, a page at a time, patched live by the event stream. */
export function ServersPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const phone = useMediaQuery('(max-width: 48em)');
  const list = useQuery({
    ...serverListQueryOptions(listQuery(filters)),
    refetchInterval: usePollInterval(SERVERS_POLL_MS),
  });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const canManage = usePermission('manage_servers');
  const bulk = useBulkActions(() => {
    setSelected(new Set());
  });
  const rowActions = canManage
    ? (server: Server) => <RowActions server={server} busy={bulk.busy} onAction={bulk.request} />
    : undefined;
  useDocumentTitle(`${t('servers.title')} · ${t('app.name')}`);

  const change = (next: Partial<ServerFilters>) => {
    setParams((previous) => searchFromFilters({ ...filtersFromSearch(previous), page: 1, ...next }));
  };
  const servers = list.data?.items ?? [];
  const toggle = (name: string) => {
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(name)) next.add(name);
      return next;
    });
  };
  const toggleAll = () => {
    setSelected((previous) => {
      const next = new Set(previous);
      const all = servers.every((server) => next.has(server.name));
      for (const server of servers) {
        if (all) next.delete(server.name);
        else next.add(server.name);
      }
      return next;
    });
  };
  const filtered = TEXT_FILTERS.some((name) => filters[name] !== '') || filters.status !== null;
  const pages = list.data?.pagination.pages ?? 0;

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('servers.title')}
          </Title>
          <Text c="dimmed">{t('servers.description')}</Text>
        </div>
        <Group gap="sm">
          <Can permission="manage_servers">
            <SyncServersButton />
          </Can>
          <Can permission="create_server">
            <Button component={Link} to="/servers/new" leftSection={<IconPlus size={16} />}>
              {t('servers.create')}
            </Button>
          </Can>
        </Group>
      </Group>

      <FilterBar filters={filters} onChange={change} />

      {selected.size > 0 ? (
        <Group gap="sm">
          <Text fw={500} role="status">
            {t('servers.selected', { count: selected.size })}
          </Text>
          {canManage ? (
            <BulkActionBar names={[...selected]} busy={bulk.busy} onAction={bulk.request} />
          ) : null}
          <Button
            variant="subtle"
            size="compact-sm"
            onClick={() => {
              setSelected(new Set());
            }}
          >
            {t('servers.clearSelection')}
          </Button>
          <BulkFirewallButton servers={[...selected]} />
          <BulkRoleButton servers={[...selected]} />
        </Group>
      ) : null}
      {bulk.panel}

      <QueryState
        query={list}
        errorMessage={(error) => t('servers.loadError', { error: error.message })}
        rowHeight={40}
        isEmpty={() => servers.length === 0}
        empty={filtered ? t('servers.emptyFiltered') : t('servers.empty')}
        emptyAction={
          filtered ? (
            <Button
              variant="light"
              onClick={() => {
                setParams(new URLSearchParams());
              }}
            >
              {t('servers.filters.clear')}
            </Button>
          ) : (
            <Can permission="create_server">
              <Button component={Link} to="/servers/new" leftSection={<IconPlus size={16} />}>
                {t('servers.create')}
              </Button>
            </Can>
          )
        }
      >
        {() =>
          phone ? (
            <ServerCards
              servers={servers}
              selected={selected}
              onToggle={toggle}
              onToggleAll={toggleAll}
              rowActions={rowActions}
            />
          ) : (
            <ServerTable
              servers={servers}
              filters={filters}
              onSort={(sort) => {
                change({ sort });
              }}
              selected={selected}
              onToggle={toggle}
              onToggleAll={toggleAll}
              rowActions={rowActions}
            />
          )
        }
      </QueryState>

      {list.data ? (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {t('servers.total', { count: list.data.pagination.total })}
          </Text>
          {pages > 1 ? (
            <Pagination
              total={pages}
              value={filters.page}
              onChange={(page) => {
                change({ page });
              }}
            />
          ) : null}
        </Group>
      ) : null}
    </Stack>
  );
}
