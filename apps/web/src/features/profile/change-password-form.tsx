import { useState, type SubmitEvent } from 'react';
import { Alert, Button, Card, Group, PasswordInput, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCheck } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { SectionHeading } from '../../components/section-heading';
import { ApiError } from '../../lib/api';
import {
  checkPasswordForm,
  type PasswordFormField,
  type PasswordFormValues,
  type PasswordProblems,
} from './password-policy';
import { useChangePassword } from './profile.queries';

const EMPTY: PasswordFormValues = { current: '', next: '', confirm: '' };
/** The API's field names (details.fields) for the form's fields. */
const API_FIELDS: Record<string, PasswordFormField> = {
  current_password: 'current',
  new_password: 'next',
};

/** Change one's own password: checked here first, then by the server, whose messages land on their fields. */
export function ChangePasswordForm({ username }: { username: string }) {
  const { t } = useTranslation();
  const changePassword = useChangePassword();
  const [values, setValues] = useState<PasswordFormValues>(EMPTY);
  const [problems, setProblems] = useState<PasswordProblems>({});
  const [serverErrors, setServerErrors] = useState<Partial<Record<PasswordFormField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const update = (field: PasswordFormField) => (event: React.ChangeEvent<HTMLInputElement>) => {
    const value = event.currentTarget.value;
    setValues((previous) => ({ ...previous, [field]: value }));
    setServerErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  const errorFor = (field: PasswordFormField): string | undefined => {
    const problem = problems[field];
    return problem ? t(`changePassword.errors.${problem}`) : serverErrors[field];
  };

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = checkPasswordForm(values, username);
    setProblems(found);
    setServerErrors({});
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    changePassword.mutate(
      { current_password: values.current, new_password: values.next },
      {
        onSuccess: () => {
          setValues(EMPTY);
          notifications.show({
            color: 'teal',
            icon: <IconCheck size={18} />,
            message: t('changePassword.success'),
          });
        },
        onError: (error) => {
          const byField: Partial<Record<PasswordFormField, string>> = {};
          const other: string[] = [];
          if (error instanceof ApiError) {
            for (const [name, message] of Object.entries(error.fields)) {
              const field = API_FIELDS[name];
              if (field) byField[field] = message;
              else other.push(message);
            }
          }
          setServerErrors(byField);
          if (Object.keys(byField).length === 0 || other.length > 0) {
            setFormError([error.message, ...other].join(' '));
          }
        },
      },
    );
  };

  return (
    <Card withBorder padding="lg" radius="md">
      <form onSubmit={submit} noValidate aria-labelledby="change-password-title">
        <Stack gap="md">
          <SectionHeading
            id="change-password-title"
            title={t('changePassword.title')}
            description={t('changePassword.description')}
          />
          {formError ? (
            <Alert
              color="red"
              title={t('changePassword.failed')}
              icon={<IconAlertCircle size={18} />}
              role="alert"
            >
              {formError}
            </Alert>
          ) : null}
          <PasswordInput
            label={t('changePassword.current')}
            name="current_password"
            autoComplete="current-password"
            required
            value={values.current}
            onChange={update('current')}
            error={errorFor('current')}
            aria-invalid={errorFor('current') !== undefined}
          />
          <PasswordInput
            label={t('changePassword.new')}
            name="new_password"
            autoComplete="new-password"
            required
            description={t('changePassword.policy')}
            value={values.next}
            onChange={update('next')}
            error={errorFor('next')}
            aria-invalid={errorFor('next') !== undefined}
          />
          <PasswordInput
            label={t('changePassword.confirm')}
            name="confirm_password"
            autoComplete="new-password"
            required
            value={values.confirm}
            onChange={update('confirm')}
            error={errorFor('confirm')}
            aria-invalid={errorFor('confirm') !== undefined}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={changePassword.isPending}>
              {t('changePassword.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
