import { Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';

const TABS = [
  { path: '/firewall', label: 'firewall.tabs.groups' },
  { path: '/firewall/ipsets', label: 'firewall.tabs.ipsets' },
  { path: '/firewall/aliases', label: 'firewall.tabs.aliases' },
] as const;

/** The firewall pages' title and their tabs: security groups, IP sets, aliases. */
export function FirewallHeader({ action }: { action?: ReactNode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('firewall.title')}
          </Title>
          <Text c="dimmed">{t('firewall.description')}</Text>
        </div>
        {action}
      </Group>
      <Tabs
        value={location.pathname}
        onChange={(value) => {
          if (value) void navigate(value);
        }}
      >
        <Tabs.List>
          {TABS.map((tab) => (
            <Tabs.Tab key={tab.path} value={tab.path}>
              {t(tab.label)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
    </Stack>
  );
}

export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', icon: <IconCheck size={18} />, message });
}

export function notifyFailed(title: string, error: Error): void {
  notifications.show({ color: 'red', title, message: error.message });
}
