import { Alert, Badge, Card, Grid, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { SectionHeading } from '../../components/section-heading';
import { formatDateTime } from '../../lib/i18n';
import { ChangePasswordForm } from './change-password-form';
import { profileQueryOptions, type OwnSession, type Profile } from './profile.queries';

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={160} fw={500} c="dimmed">
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function AccountCard({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={3} size="h4" mb="sm">
        {t('profile.account')}
      </Title>
      <Table verticalSpacing="xs" data-testid="profile-details">
        <Table.Tbody>
          <Detail label={t('profile.username')}>{profile.username}</Detail>
          <Detail label={t('profile.name')}>{profile.name || '—'}</Detail>
          <Detail label={t('profile.email')}>{profile.email ?? '—'}</Detail>
          <Detail label={t('profile.role')}>{t(`roles.${profile.role}`)}</Detail>
          <Detail label={t('profile.permissions')}>
            {profile.permissions.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('profile.noPermissions')}
              </Text>
            ) : (
              <Group gap={6}>
                {profile.permissions.map((permission) => (
                  <Badge key={permission} variant="light" title={permission}>
                    {t(`permissions.${permission}`)}
                  </Badge>
                ))}
              </Group>
            )}
          </Detail>
          <Detail label={t('profile.active')}>
            <Badge color={profile.is_active ? 'teal' : 'gray'} variant="dot">
              {profile.is_active ? t('profile.activeYes') : t('profile.activeNo')}
            </Badge>
          </Detail>
          <Detail label={t('profile.createdAt')}>{formatDateTime(profile.created_at)}</Detail>
          <Detail label={t('profile.lastLogin')}>{formatDateTime(profile.last_login_at)}</Detail>
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function SessionsCard({ sessions }: { sessions: readonly OwnSession[] }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="lg" radius="md">
      <Stack gap="sm">
        <SectionHeading title={t('profile.sessions.title')} description={t('profile.sessions.description')} />
        {sessions.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('profile.sessions.none')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover data-testid="own-sessions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('profile.sessions.started')}</Table.Th>
                  <Table.Th>{t('profile.sessions.lastSeen')}</Table.Th>
                  <Table.Th>{t('profile.sessions.expires')}</Table.Th>
                  <Table.Th>{t('profile.sessions.address')}</Table.Th>
                  <Table.Th>{t('profile.sessions.client')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.map((session) => (
                  <Table.Tr key={session.id}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                          {formatDateTime(session.created_at)}
                        </Text>
                        {session.current ? (
                          <Badge size="sm" color="teal" variant="light" style={{ flexShrink: 0 }}>
                            {t('profile.sessions.current')}
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(session.last_seen_at)}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(session.expires_at)}</Table.Td>
                    <Table.Td>{session.ip || '—'}</Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={1} title={session.user_agent}>
                        {session.user_agent || '—'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}

/** The user's own account: details, active sessions, password change. */
export function ProfilePage() {
  const { t } = useTranslation();
  const profile = useQuery(profileQueryOptions);
  useDocumentTitle(`${t('profile.title')} · ${t('app.name')}`);
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('profile.title')}
      </Title>
      {profile.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('profile.loadFailed')} {profile.error.message}
        </Alert>
      ) : null}
      {profile.data ? (
        <Grid gutter="lg">
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <AccountCard profile={profile.data} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <ChangePasswordForm username={profile.data.username} />
          </Grid.Col>
          <Grid.Col span={12}>
            <SessionsCard sessions={profile.data.sessions} />
          </Grid.Col>
        </Grid>
      ) : profile.isPending ? (
        <Skeleton h={320} radius="md" />
      ) : null}
    </Stack>
  );
}
