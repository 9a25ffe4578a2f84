import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useDocumentTitle } from '@mantine/hooks';
import { IconAlertCircle, IconArrowLeft, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useCallback, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../lib/api';
import { formatDateTime } from '../../lib/i18n';
import { usePermission } from '../../lib/permissions';
import { usePollInterval } from '../../lib/sse';
import { ServerRoleTab } from '../roles/server-role-tab';
import { ServerConfigEditor } from './server-config-editor';
import { ServerDisks } from './server-disks';
import { ServerLogsPanel, TouchedTasks } from './server-logs';
import { PowerButtons, useServerPower } from './server-power';
import { formatBytes, formatUptime, percent } from './server-format';
import { ServerStatusBadge } from './server-status-badge';
import {
  liveServerStatusQueryOptions,
  SERVERS_POLL_MS,
  serverQueryOptions,
  type Server,
} from './servers.queries';
import { ServerFirewallCard } from '../firewall/server-firewall-card';
import { ServerCharts } from '../monitoring/server-charts';
import { ServerBackups } from '../backups/server-backups';

function Field({ label, children }: { label: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children ?? t('servers.none')}
      </Text>
    </div>
  );
}

function Overview({ server }: { server: Server }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h4" mb="md">
        {t('servers.detail.overview')}
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
        <Field label={t('servers.detail.vmid')}>{server.vmid}</Field>
        <Field label={t('servers.detail.node')}>{server.node}</Field>
        <Field label={t('servers.columns.ips')}>
          {server.ip_addresses.length > 0 ? server.ip_addresses.join(', ') : null}
        </Field>
        <Field label={t('servers.detail.cpu')}>{server.cpu_cores}</Field>
        <Field label={t('servers.detail.memory')}>{formatBytes(server.memory_mb * 1024 * 1024)}</Field>
        <Field label={t('servers.detail.os')}>{server.os_type}</Field>
        <Field label={t('servers.detail.template')}>{server.template_vmid}</Field>
        <Field label={t('servers.detail.role')}>{server.role}</Field>
        <Field label={t('servers.detail.firewallGroup')}>{server.firewall_group}</Field>
        <Field label={t('servers.detail.origin')}>{t(`servers.detail.origins.${server.origin}`)}</Field>
        <Field label={t('servers.detail.createdAt')}>{formatDateTime(server.created_at)}</Field>
        <Field label={t('servers.detail.lastSynced')}>
          {server.last_synced_at ? formatDateTime(server.last_synced_at) : null}
        </Field>
        <Field label={t('servers.detail.tags')}>
          {server.tags.length > 0 ? (
            <Group gap={4}>
              {server.tags.map((tag) => (
                <Badge key={tag} variant="outline" size="sm">
                  {tag}
                </Badge>
              ))}
            </Group>
          ) : null}
        </Field>
      </SimpleGrid>
      {server.description ? (
        <Stack gap={2} mt="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {t('servers.detail.descriptionLabel')}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {server.description}
          </Text>
        </Stack>
      ) : null}
    </Card>
  );
}

function LiveFigures({ server }: { server: Server }) {
  const { t } = useTranslation();
  const live = server.live;
  return (
    <Card withBorder padding="lg" radius="md" data-testid="live-figures">
      <Title order={2} size="h4" mb="md">
        {t('servers.detail.live')}
      </Title>
      {live ? (
        <SimpleGrid cols={{ base: 1, sm: 4 }} spacing="md">
          <Field label={t('servers.detail.cpuUsage')}>
            {percent(live.cpu_usage)}%
            <Progress value={percent(live.cpu_usage)} size="sm" mt={4} aria-hidden />
          </Field>
          <Field label={t('servers.detail.memoryUsage')}>
            {formatBytes(live.mem_bytes)} / {formatBytes(live.maxmem_bytes)}
            <Progress
              value={live.maxmem_bytes > 0 ? percent(live.mem_bytes / live.maxmem_bytes) : 0}
              size="sm"
              mt={4}
              aria-hidden
            />
          </Field>
          <Field label={t('servers.detail.uptime')}>{formatUptime(live.uptime_s)}</Field>
          <Field label={t('servers.detail.diskUsage')}>{formatBytes(live.disk_bytes)}</Field>
          <Field label={t('servers.detail.netIn')}>{formatBytes(live.netin_bytes)}</Field>
          <Field label={t('servers.detail.netOut')}>{formatBytes(live.netout_bytes)}</Field>
          <Field label={t('servers.detail.lock')}>{live.lock}</Field>
        </SimpleGrid>
      ) : (
        <Text c="dimmed" size="sm">
          {t('servers.detail.noLive')}
        </Text>
      )}
    </Card>
  );
}

function Disks({ server }: { server: Server }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t('servers.detail.disks')}
      </Title>
      <Table.ScrollContainer minWidth={360}>
        <Table aria-label={t('servers.detail.disks')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('servers.detail.device')}</Table.Th>
              <Table.Th>{t('servers.detail.datastore')}</Table.Th>
              <Table.Th>{t('servers.detail.size')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {server.disks.map((disk) => (
              <Table.Tr key={disk.device}>
                <Table.Td>{disk.device}</Table.Td>
                <Table.Td>{disk.datastore}</Table.Td>
                <Table.Td>{disk.size_gb} GB</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

function Networks({ server }: { server: Server }) {
  const { t } = useTranslation();
  const none = t('servers.none');
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t('servers.detail.networks')}
      </Title>
      <Table.ScrollContainer minWidth={520}>
        <Table aria-label={t('servers.detail.networks')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('servers.detail.device')}</Table.Th>
              <Table.Th>{t('servers.detail.bridge')}</Table.Th>
              <Table.Th>{t('servers.detail.ip')}</Table.Th>
              <Table.Th>{t('servers.detail.gateway')}</Table.Th>
              <Table.Th>{t('servers.detail.mac')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {server.networks.map((nic) => (
              <Table.Tr key={nic.device}>
                <Table.Td>{nic.device}</Table.Td>
                <Table.Td>{nic.bridge}</Table.Td>
                <Table.Td>
                  {nic.ip_address
                    ? `${nic.ip_address}${nic.prefix === null ? '' : `/${String(nic.prefix)}`}`
                    : none}
                </Table.Td>
                <Table.Td>{nic.gateway ?? none}</Table.Td>
                <Table.Td>{nic.mac ?? none}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** GET /api/server_status/{name}: read from Proxmox when the operator asks, not before. */
function ProxmoxStatus({ name }: { name: string }) {
  const { t } = useTranslation();
  const status = useQuery({ ...liveServerStatusQueryOptions(name), enabled: false });
  return (
    <Card withBorder padding="lg" radius="md" data-testid="proxmox-status">
      <Group justify="space-between" mb="sm">
        <div>
          <Title order={2} size="h4">
            {t('servers.detail.proxmox')}
          </Title>
          <Text size="xs" c="dimmed">
            {status.dataUpdatedAt > 0
              ? t('servers.detail.readAt', {
                  time: formatDateTime(new Date(status.dataUpdatedAt).toISOString()),
                })
              : t('servers.detail.proxmoxHint')}
          </Text>
        </div>
        <Button
          variant="light"
          leftSection={<IconRefresh size={16} />}
          loading={status.isFetching}
          onClick={() => void status.refetch()}
        >
          {status.data ? t('servers.detail.readAgain') : t('servers.detail.readNow')}
        </Button>
      </Group>
      {status.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('servers.detail.proxmoxError', { error: status.error.message })}
        </Alert>
      ) : null}
      {status.data ? (
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Field label={t('servers.columns.status')}>{status.data.status}</Field>
          <Field label={t('servers.detail.qmpstatus')}>{status.data.qmpstatus}</Field>
          <Field label={t('servers.detail.node')}>{status.data.node}</Field>
          <Field label={t('servers.detail.vmid')}>{status.data.vmid}</Field>
          <Field label={t('servers.detail.cpuUsage')}>{percent(status.data.cpu)}%</Field>
          <Field label={t('servers.detail.memoryUsage')}>
            {formatBytes(status.data.mem)} / {formatBytes(status.data.maxmem)}
          </Field>
          <Field label={t('servers.detail.uptime')}>{formatUptime(status.data.uptime)}</Field>
          <Field label={t('servers.detail.lock')}>{status.data.lock}</Field>
          <Field label={t('servers.detail.agent')}>
            {status.data.agent ? t('servers.detail.agentOn') : t('servers.detail.agentOff')}
          </Field>
        </SimpleGrid>
      ) : null}
    </Card>
  );
}

type Tab = 'overview' | 'metrics' | 'config' | 'disks' | 'role' | 'backups' | 'logs';
const TABS: readonly Tab[] = ['overview', 'metrics', 'config', 'disks', 'role', 'backups', 'logs'];

function isTab(value: string | null): value is Tab {
  return TABS.some((tab) => tab === value);
}

/**
 * One server: what the inventory knows and its live figures (patched by server events, no polling while the
 * stream is open), power actions followed to their end, and tabs for its configuration, disks and logs (the
 * tab is kept in the address, `?tab=config`).
 */
export function ServerDetailPage() {
  const { t } = useTranslation();
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');
  const tab: Tab = isTab(tabParam) ? tabParam : 'overview';
  const server = useQuery({ ...serverQueryOptions(name), refetchInterval: usePollInterval(SERVERS_POLL_MS) });
  const canManage = usePermission('manage_servers');
  const onDeleted = useCallback(() => {
    notifications.show({ color: 'teal', message: t('servers.actions.deleted', { name }) });
    void navigate('/servers');
  }, [name, navigate, t]);
  const power = useServerPower(name, onDeleted);
  useDocumentTitle(`${name} · ${t('app.name')}`);

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/servers" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t('servers.detail.back')}
        </Group>
      </Anchor>
      <Group gap="sm" justify="space-between" align="flex-start">
        <Group gap="sm">
          <Title order={1} size="h2">
            {name}
          </Title>
          {server.data ? <ServerStatusBadge status={server.data.status} /> : null}
        </Group>
        {server.data && canManage ? (
          <PowerButtons server={server.data} busy={power.busy} run={power.run} />
        ) : null}
      </Group>
      {power.error}
      {power.progress}
      {server.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {server.error instanceof ApiError && server.error.status === 404
            ? t('servers.detail.notFound', { name })
            : t('servers.loadError', { error: server.error.message })}
        </Alert>
      ) : server.data ? (
        <Tabs
          value={tab}
          keepMounted={false}
          onChange={(value) => {
            setParams(
              (previous) => {
                const next = new URLSearchParams(previous);
                if (isTab(value) && value !== 'overview') next.set('tab', value);
                else next.delete('tab');
                return next;
              },
              { replace: true },
            );
          }}
        >
          <Tabs.List aria-label={t('servers.tabs.label')} mb="md">
            {TABS.map((value) => (
              <Tabs.Tab key={value} value={value}>
                {t(`servers.tabs.${value}`)}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          <Tabs.Panel value="overview">
            <Stack gap="lg">
              {server.data.error ? (
                <Alert color="red" icon={<IconAlertCircle size={18} />} title={t('servers.detail.error')}>
                  {server.data.error}
                </Alert>
              ) : null}
              <Overview server={server.data} />
              <LiveFigures server={server.data} />
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Disks server={server.data} />
                <Networks server={server.data} />
              </SimpleGrid>
              <ProxmoxStatus name={name} />
              <ServerFirewallCard name={name} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="metrics">
            <ServerCharts name={name} />
          </Tabs.Panel>
          <Tabs.Panel value="config">
            <ServerConfigEditor
              name={name}
              canEdit={canManage}
              restartBusy={power.busy}
              onRestart={() => {
                power.run('reboot', { force: false });
              }}
            />
          </Tabs.Panel>
          <Tabs.Panel value="disks">
            <ServerDisks name={name} canEdit={canManage} />
          </Tabs.Panel>
          <Tabs.Panel value="role">
            <ServerRoleTab server={server.data} />
          </Tabs.Panel>
          <Tabs.Panel value="backups">
            <ServerBackups name={name} />
          </Tabs.Panel>
          <Tabs.Panel value="logs">
            <Stack gap="lg">
              <ServerLogsPanel name={name} />
              <TouchedTasks name={name} />
            </Stack>
          </Tabs.Panel>
        </Tabs>
      ) : (
        <Skeleton h={240} radius="md" />
      )}
    </Stack>
  );
}
