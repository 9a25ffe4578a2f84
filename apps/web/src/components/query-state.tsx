import { Alert, Button, Paper, Skeleton, Stack, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * What QueryState reads of a query: TanStack's UseQueryResult fits (placeholder data included), and so
 * does any object of the same shape, e.g. two queries combined.
 */
export interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  data: T | undefined;
  refetch: () => unknown;
}

/** Something still loading: skeleton rows, busy for assistive technology, which is told it is loading. */
export function LoadingRows({ rows = 3, height = 48 }: { rows?: number; height?: number }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" aria-busy="true">
      <VisuallyHidden>{t('common.loading')}</VisuallyHidden>
      {Array.from({ length: rows }, (_, row) => (
        <Skeleton key={row} h={height} radius="md" />
      ))}
    </Stack>
  );
}

/** Something that failed to load: what failed, why, and a button to try again. */
export function LoadError({
  title,
  message,
  onRetry,
}: {
  /** Without a title, the message says it all. */
  title?: ReactNode;
  message: ReactNode;
  onRetry: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Alert color="red" icon={<IconAlertCircle size={18} />} title={title} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        <Button size="xs" variant="light" color="red" onClick={onRetry}>
          {t('common.retry')}
        </Button>
      </Stack>
    </Alert>
  );
}

/** A list with nothing in it: a dimmed line in a bordered box, and an optional action below it. */
export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="xl">
      {action ? (
        <Stack align="center" gap="sm">
          <Text c="dimmed" ta="center">
            {children}
          </Text>
          {action}
        </Stack>
      ) : (
        <Text c="dimmed" ta="center">
          {children}
        </Text>
      )}
    </Paper>
  );
}

export interface QueryStateProps<T> {
  query: QueryLike<T>;
  /** The title of the error shown when the query failed. */
  errorTitle?: ReactNode;
  /** What the error says of the failure: the error's message by default. */
  errorMessage?: (error: Error) => ReactNode;
  /** Whether the data counts as nothing to show: `empty` is shown instead of the children. */
  isEmpty?: (data: T) => boolean;
  /** The line shown when `isEmpty` says so. */
  empty?: ReactNode;
  /** An action under the empty line (e.g. clear the filters, create the first one). */
  emptyAction?: ReactNode;
  /** What to show while loading, instead of `rows` skeleton rows of `rowHeight` pixels. */
  loading?: ReactNode;
  rows?: number;
  rowHeight?: number;
  /** The loaded data, drawn. */
  children: (data: T) => ReactNode;
}

/**
 * A query's loading, error and empty states around what draws its data: the error (with a retry) when it
 * failed, skeleton rows while it loads, the empty line when there is nothing, else the children.
 */
export function QueryState<T>({
  query,
  errorTitle,
  errorMessage,
  isEmpty,
  empty,
  emptyAction,
  loading,
  rows,
  rowHeight,
  children,
}: QueryStateProps<T>) {
  if (query.isError) {
    const error = query.error ?? new Error('');
    return (
      <LoadError
        title={errorTitle}
        message={errorMessage ? errorMessage(error) : error.message}
        onRetry={() => void query.refetch()}
      />
    );
  }
  // A query that is not pending has its data (TanStack's data is never undefined once loaded).
  if (query.isPending || query.data === undefined)
    return loading ?? <LoadingRows rows={rows} height={rowHeight} />;
  if (isEmpty?.(query.data)) return <EmptyState action={emptyAction}>{empty}</EmptyState>;
  return <>{children(query.data)}</>;
}
