import {
  Anchor,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconArrowLeft, IconArrowBackUp, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoadError, LoadingRows } from '../../components/query-state';
import { ApiError } from '../../lib/api';
import {
  configPageQueryOptions,
  useUpdateMonitoringConfig,
  type ConfigChange,
  type ConfigField,
} from './monitoring.queries';

const GROUPS = ['thresholds', 'checks', 'prometheus', 'grafana'] as const;

type Value = ConfigField['value'];
const isSecretState = (value: Value): value is { set: boolean } =>
  typeof value === 'object' && value !== null && 'set' in value;

/** The value in an input: numbers and text as typed; secrets start empty (never shown). */
function initialText(field: ConfigField): string {
  if (field.type === 'secret' || isSecretState(field.value)) return '';
  return field.value === null ? '' : String(field.value);
}

function shown(value: Value, none: string): string {
  if (isSecretState(value)) return value.set ? '••••' : none;
  return value === null || value === '' ? none : String(value);
}

/**
 * The monitoring settings (docs/api.md §10), for administrators: every field the server describes
 * (`GET /api/monitoring/config-page`), grouped; only what was changed is sent, and the server's word on each bad
 * field shows under it. Secrets are write-only: "set" or "not set", a new value, or removed.
 */
export function MonitoringSettingsPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('monitoring.settings.title')} · ${t('app.name')}`);
  const page = useQuery(configPageQueryOptions);
  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/monitoring" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t('monitoring.title')}
        </Group>
      </Anchor>
      <div>
        <Title order={1} size="h2">
          {t('monitoring.settings.title')}
        </Title>
        <Text c="dimmed">{t('monitoring.settings.description')}</Text>
      </div>
      {page.isError ? (
        <LoadError
          title={t('monitoring.settings.loadFailed')}
          message={page.error.message}
          onRetry={() => void page.refetch()}
        />
      ) : page.isPending ? (
        <LoadingRows rows={1} height={400} />
      ) : (
        // Keyed by the values, so that a saved change starts the form afresh from what the server now holds.
        <SettingsForm key={JSON.stringify(page.data.fields.map((f) => f.value))} fields={page.data.fields} />
      )}
    </Stack>
  );
}

function SettingsForm({ fields }: { fields: ConfigField[] }) {
  const { t, i18n } = useTranslation();
  /** The field's name in the interface's language (the key itself for a field this version does not know). */
  const fieldLabel = (key: string): string =>
    i18n.exists(`monitoring.settings.fields.${key}`)
      ? String(t(`monitoring.settings.fields.${key}` as never))
      : key;
  const update = useUpdateMonitoringConfig();
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((field) => [field.key, initialText(field)])),
  );
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const [reset, setReset] = useState<ReadonlySet<string>>(new Set());
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});

  const change = (): ConfigChange => {
    const body: Record<string, number | string | null> = {};
    for (const field of fields) {
      if (reset.has(field.key)) {
        body[field.key] = null;
        continue;
      }
      const text = (texts[field.key] ?? '').trim();
      if (field.type === 'secret') {
        if (cleared.has(field.key)) body[field.key] = '';
        else if (text !== '') body[field.key] = texts[field.key] ?? '';
        continue;
      }
      if (text === initialText(field)) continue;
      // A number as typed: the server names what is wrong with it (an empty or bad figure is sent as it is).
      body[field.key] =
        field.type === 'number' && text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    }
    return body;
  };

  const submit = (event: { preventDefault: () => void }) => {
    event.preventDefault();
    const body = change();
    if (Object.keys(body).length === 0) {
      notifications.show({ color: 'gray', message: t('monitoring.settings.nothing') });
      return;
    }
    setErrors({});
    update.mutate(body, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: t('monitoring.settings.saved') });
      },
      onError: (error) => {
        if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
        notifications.show({
          color: 'red',
          message: t('monitoring.settings.saveFailed', { error: error.message }),
        });
      },
    });
  };

  const setText = (key: string, value: string) => {
    setTexts((previous) => ({ ...previous, [key]: value }));
    setReset((previous) => {
      const next = new Set(previous);
      next.delete(key);
      return next;
    });
  };
  const toggle = (set: ReadonlySet<string>, key: string, on: boolean): ReadonlySet<string> => {
    const next = new Set(set);
    if (on) next.add(key);
    else next.delete(key);
    return next;
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg">
        {GROUPS.map((group) => (
          <Paper key={group} withBorder p="md" radius="md" component="fieldset" style={{ margin: 0 }}>
            <Title order={2} size="h4" mb="sm" component="legend">
              {t(`monitoring.settings.groups.${group}`)}
            </Title>
            <Stack gap="md">
              {fields
                .filter((field) => field.group === group)
                .map((field) => {
                  const label = (
                    <Group gap={6} component="span">
                      <span>{fieldLabel(field.key)}</span>
                      <Text span size="xs" c="dimmed" ff="monospace">
                        {field.key}
                      </Text>
                      {field.changed && !reset.has(field.key) ? (
                        <Badge size="xs" variant="light">
                          {t('monitoring.settings.changed')}
                        </Badge>
                      ) : null}
                      {field.type === 'secret' && isSecretState(field.value) ? (
                        <Badge size="xs" color={field.value.set ? 'teal' : 'gray'} variant="light">
                          {field.value.set
                            ? t('monitoring.settings.secretSet')
                            : t('monitoring.settings.secretNotSet')}
                        </Badge>
                      ) : null}
                    </Group>
                  );
                  const description = (
                    <>
                      {field.description}
                      {field.unit ? ` (${field.unit})` : ''}
                      {field.pattern ? ` — ${field.pattern}` : ''}
                      <br />
                      {t('monitoring.settings.fromEnv', {
                        env: field.env,
                        value: shown(field.default, t('monitoring.settings.none')),
                      })}
                      {reset.has(field.key) ? ` · ${t('monitoring.settings.reset')}` : ''}
                    </>
                  );
                  const error = errors[field.key];
                  const input =
                    field.type === 'number' ? (
                      <NumberInput
                        label={label}
                        description={description}
                        value={texts[field.key] ?? ''}
                        onChange={(value) => {
                          setText(field.key, String(value));
                        }}
                        min={field.min}
                        max={field.max}
                        allowDecimal={!field.integer}
                        error={error}
                        name={field.key}
                      />
                    ) : field.type === 'secret' ? (
                      <PasswordInput
                        label={label}
                        description={
                          <>
                            {description}
                            {cleared.has(field.key) ? (
                              <>
                                <br />
                                {t('monitoring.settings.secretWillClear')}
                              </>
                            ) : null}
                          </>
                        }
                        placeholder={t('monitoring.settings.secretPlaceholder')}
                        value={texts[field.key] ?? ''}
                        onChange={(event) => {
                          setText(field.key, event.currentTarget.value);
                          setCleared((previous) => toggle(previous, field.key, false));
                        }}
                        autoComplete="new-password"
                        error={error}
                        name={field.key}
                      />
                    ) : (
                      <TextInput
                        label={label}
                        description={description}
                        value={texts[field.key] ?? ''}
                        onChange={(event) => {
                          setText(field.key, event.currentTarget.value);
                        }}
                        type={field.type === 'url' ? 'url' : 'text'}
                        error={error}
                        name={field.key}
                      />
                    );
                  return (
                    <Stack key={field.key} gap={4}>
                      {input}
                      <Group gap="xs">
                        {field.type === 'secret' && isSecretState(field.value) && field.value.set ? (
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            color="red"
                            leftSection={<IconTrash size={12} />}
                            onClick={() => {
                              setCleared((previous) => toggle(previous, field.key, !previous.has(field.key)));
                              setText(field.key, '');
                            }}
                            aria-pressed={cleared.has(field.key)}
                          >
                            {t('monitoring.settings.secretClear')}
                          </Button>
                        ) : null}
                        {field.changed ? (
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            leftSection={<IconArrowBackUp size={12} />}
                            onClick={() => {
                              setReset((previous) => toggle(previous, field.key, !previous.has(field.key)));
                            }}
                            aria-pressed={reset.has(field.key)}
                          >
                            {t('monitoring.settings.reset')}
                          </Button>
                        ) : null}
                      </Group>
                    </Stack>
                  );
                })}
            </Stack>
          </Paper>
        ))}
        <Group>
          <Button type="submit" loading={update.isPending}>
            {t('monitoring.settings.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
