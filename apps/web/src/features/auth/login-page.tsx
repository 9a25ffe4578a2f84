import { useState, type SubmitEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconInfoCircle, IconServer2 } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { SectionHeading } from '../../components/section-heading';
import { ColorSchemeToggle } from '../../app/layout/color-scheme-toggle';
import { LanguageSwitcher } from '../../app/layout/language-switcher';
import { ApiError } from '../../lib/api';
import { nextFromSearch } from '../../lib/navigation';
import { useLogin, useSessionState } from './auth.queries';

type FieldErrors = { username?: string; password?: string };

function loginErrorText(error: Error, t: TFunction): string {
  if (error instanceof ApiError && error.code === 'INVALID_CREDENTIALS') return t('auth.invalidCredentials');
  if (error instanceof ApiError && error.status === 429) return t('auth.rateLimited');
  return error.message;
}

/** The sign-in card. After signing in the user goes to `?next=` (where they were), else the dashboard. */
export function LoginPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const state = useSessionState();
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  useDocumentTitle(`${t('auth.submit')} · ${t('app.name')}`);

  if (state?.status === 'authenticated') {
    return <Navigate to={nextFromSearch(location.search)} replace />;
  }

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors: FieldErrors = {};
    if (!username.trim()) errors.username = t('auth.usernameRequired');
    if (!password) errors.password = t('auth.passwordRequired');
    setFieldErrors(errors);
    if (errors.username ?? errors.password) return;
    login.mutate({ username: username.trim(), password });
  };

  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-light)">
      <Group justify="flex-end" p="md" gap="sm">
        <ColorSchemeToggle />
        <LanguageSwitcher />
      </Group>
      <Center px="md" pb={80}>
        <Stack w="100%" maw={400} gap="lg">
          <Stack align="center" gap={6}>
            <ThemeIcon size={48} radius="md">
              <IconServer2 size={28} />
            </ThemeIcon>
            <Title order={1} size="h2">
              {t('app.name')}
            </Title>
            <Text c="dimmed" size="sm" ta="center">
              {t('app.tagline')}
            </Text>
          </Stack>
          <Paper withBorder shadow="sm" p="xl" radius="md">
            <form onSubmit={submit} noValidate aria-labelledby="login-title">
              <Stack gap="md">
                <SectionHeading
                  order={2}
                  id="login-title"
                  title={t('auth.title')}
                  description={t('auth.subtitle')}
                />
                {state?.status === 'expired' && !login.isError ? (
                  <Alert color="yellow" icon={<IconInfoCircle size={18} />}>
                    {t('auth.sessionExpired')}
                  </Alert>
                ) : null}
                {state?.status === 'signed-out' && !login.isError ? (
                  <Alert color="blue" icon={<IconInfoCircle size={18} />}>
                    {t('auth.loggedOut')}
                  </Alert>
                ) : null}
                {login.isError ? (
                  <Alert
                    color="red"
                    title={t('auth.failed')}
                    icon={<IconAlertCircle size={18} />}
                    role="alert"
                  >
                    {loginErrorText(login.error, t)}
                  </Alert>
                ) : null}
                <TextInput
                  label={t('auth.username')}
                  name="username"
                  autoComplete="username"
                  autoFocus
                  required
                  value={username}
                  onChange={(event) => {
                    setUsername(event.currentTarget.value);
                  }}
                  error={fieldErrors.username}
                />
                <PasswordInput
                  label={t('auth.password')}
                  name="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(event) => {
                    setPassword(event.currentTarget.value);
                  }}
                  error={fieldErrors.password}
                  aria-invalid={fieldErrors.password !== undefined}
                />
                <Button type="submit" fullWidth loading={login.isPending} mt="xs">
                  {t('auth.submit')}
                </Button>
              </Stack>
            </form>
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
