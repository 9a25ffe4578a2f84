import { Alert, Button, Group, Modal, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { notifications } from '@mantine/notifications';
import { IconCheck } from '@tabler/icons-react';
import { ApiError } from '../../lib/api';
import { useCreateUser, type NewUser } from './admin.queries';

const ROLES = ['viewer', 'operator', 'admin'] as const;

/** Splits an API error into messages for the form's fields and one for the rest. */
export function splitErrors(
  error: unknown,
  fields: readonly string[],
): { fieldErrors: Record<string, string>; formError: string | null } {
  if (!(error instanceof ApiError))
    return { fieldErrors: {}, formError: error instanceof Error ? error.message : null };
  const fieldErrors: Record<string, string> = {};
  const other: string[] = [];
  for (const [name, message] of Object.entries(error.fields)) {
    if (fields.includes(name)) fieldErrors[name] = message;
    else other.push(`${name}: ${message}`);
  }
  const formError =
    Object.keys(fieldErrors).length > 0 && other.length === 0 ? null : [error.message, ...other].join(' ');
  return { fieldErrors, formError };
}

/** Adds a user: username, password, name, email and role; the server's messages land on their fields. */
export function UserForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateUser();
  const [values, setValues] = useState<NewUser>({
    username: '',
    password: '',
    name: '',
    email: '',
    role: 'viewer',
  });
  const [errors, setErrors] = useState<{ fieldErrors: Record<string, string>; formError: string | null }>({
    fieldErrors: {},
    formError: null,
  });
  const set = (field: keyof NewUser) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
  };

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body: NewUser = {
      username: values.username.trim(),
      password: values.password,
      role: values.role ?? 'viewer',
      ...(values.name ? { name: values.name } : {}),
      ...(values.email ? { email: values.email.trim() } : {}),
    };
    create.mutate(body, {
      onSuccess: (user) => {
        notifications.show({
          color: 'teal',
          icon: <IconCheck size={18} />,
          message: t('adminUsers.form.created', { username: user.username }),
        });
        onClose();
      },
      onError: (error) => {
        setErrors(splitErrors(error, ['username', 'password', 'name', 'email', 'role']));
      },
    });
  };

  return (
    <Modal opened onClose={onClose} title={t('adminUsers.form.title')} size="md">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {errors.formError ? (
            <Alert color="red" role="alert">
              {errors.formError}
            </Alert>
          ) : null}
          <TextInput
            label={t('adminUsers.form.username')}
            description={t('adminUsers.form.usernameHint')}
            required
            autoComplete="off"
            value={values.username}
            onChange={(event) => {
              set('username')(event.currentTarget.value);
            }}
            error={errors.fieldErrors.username}
            data-autofocus
          />
          <PasswordInput
            label={t('adminUsers.form.password')}
            description={t('adminUsers.form.passwordHint')}
            required
            autoComplete="new-password"
            value={values.password}
            onChange={(event) => {
              set('password')(event.currentTarget.value);
            }}
            error={errors.fieldErrors.password}
          />
          <TextInput
            label={t('adminUsers.form.name')}
            value={values.name ?? ''}
            onChange={(event) => {
              set('name')(event.currentTarget.value);
            }}
            error={errors.fieldErrors.name}
          />
          <TextInput
            label={t('adminUsers.form.email')}
            type="email"
            value={values.email ?? ''}
            onChange={(event) => {
              set('email')(event.currentTarget.value);
            }}
            error={errors.fieldErrors.email}
          />
          <Select
            label={t('adminUsers.form.role')}
            data={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
            value={values.role ?? 'viewer'}
            allowDeselect={false}
            onChange={(value) => {
              if (value) set('role')(value);
            }}
            error={errors.fieldErrors.role}
          />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('adminUsers.form.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Sets another user's password; their sessions end and their tokens are revoked. */
export function ResetPasswordForm({
  username,
  onClose,
  onSubmit,
  pending,
}: {
  username: string;
  onClose: () => void;
  onSubmit: (password: string, onError: (message: string) => void) => void;
  pending: boolean;
}) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal opened onClose={onClose} title={t('adminUsers.reset.title', { username })}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit(password, setError);
        }}
      >
        <Stack gap="sm">
          <Alert color="yellow">{t('adminUsers.reset.body')}</Alert>
          <PasswordInput
            label={t('adminUsers.reset.password')}
            description={t('adminUsers.form.passwordHint')}
            required
            autoComplete="new-password"
            value={password}
            onChange={(event) => {
              setPassword(event.currentTarget.value);
            }}
            error={error}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" color="red" loading={pending}>
              {t('adminUsers.reset.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
