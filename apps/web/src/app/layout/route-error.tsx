import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

function ErrorMessage({ title, message }: { title: string; message: string }) {
  const { t } = useTranslation();
  return (
    <Center py="xl">
      <Stack align="center" gap="sm" maw={480}>
        <Title order={2}>{title}</Title>
        <Text c="dimmed" ta="center">
          {message}
        </Text>
        <Button component={Link} to="/" variant="light">
          {t('errors.backHome')}
        </Button>
      </Stack>
    </Center>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <ErrorMessage title={t('errors.notFoundTitle')} message={t('errors.notFound')} />;
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return <ErrorMessage title={t('errors.forbiddenTitle')} message={t('errors.forbidden')} />;
}

/** A page that failed to load, or that the user may not open. */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 403) {
    return <ForbiddenPage />;
  }
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return <ErrorMessage title={t('errors.title')} message={t('errors.generic')} />;
}
