import { Alert, Button, Checkbox, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../lib/api';
import { RoleVariableFields, initialVariables, roleTexts, variablesToSend } from './role-variables';
import {
  rolesQueryOptions,
  useAssignRoleBulk,
  useRunRole,
  type RoleRunAction,
  type RoleVariables,
} from './roles.queries';

/** A run that the API accepted: its task, what it does and with which role. */
export interface StartedRun {
  taskId: string;
  action: RoleRunAction;
  role: string;
}

/** The API's messages: those of a variable or the role on their field, any other in the form's alert. */
function errorsOf(error: Error): Record<string, string> {
  if (!(error instanceof ApiError) || Object.keys(error.fields).length === 0) return { form: error.message };
  const errors: Record<string, string> = {};
  const others: string[] = [];
  for (const [field, message] of Object.entries(error.fields)) {
    if (field === 'role' || field === 'replace' || field.startsWith('variables.')) errors[field] = message;
    else others.push(`${field}: ${message}`);
  }
  if (others.length > 0) errors.form = others.join('; ');
  return errors;
}

/**
 * Assigning a role to one server (apply or dry run) or to several (apply, one task with an item per server): the
 * role chosen from the catalogue, then a form built from its variables. A re-run starts from the role and the
 * values of an earlier run (secret ones are never kept: they are asked again).
 */
export function RoleAssignModal({
  names,
  initialRole,
  currentRole,
  earlier,
  onClose,
  onStarted,
}: {
  names: string[];
  initialRole?: string;
  /**
   * The role the server has now (one server): applying another leaves it installed unless the operator asks
   * for its removal first, which the form offers.
   */
  currentRole?: string;
  earlier?: RoleVariables;
  onClose: () => void;
  onStarted: (run: StartedRun) => void;
}) {
  const { t, i18n } = useTranslation();
  const roles = useQuery(rolesQueryOptions);
  const single = names.length === 1 ? names[0] : undefined;
  const runOne = useRunRole(single ?? '');
  const runMany = useAssignRoleBulk();
  const [roleName, setRoleName] = useState<string | null>(initialRole ?? null);
  const [values, setValues] = useState<RoleVariables>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [replace, setReplace] = useState(false);
  const role = roles.data?.find((entry) => entry.name === roleName);
  /** One server's other role, which an apply may remove first. */
  const other = currentRole && role && role.name !== currentRole ? currentRole : undefined;
  const otherRole = roles.data?.find((entry) => entry.name === other);
  const pending = runOne.isPending || runMany.isPending;

  // The variables of the role chosen, once the catalogue is there (and again whenever another role is chosen).
  const [formOf, setFormOf] = useState<string | null>(null);
  if (role && formOf !== role.name) {
    setFormOf(role.name);
    setValues(initialVariables(role, role.name === initialRole ? earlier : undefined));
    setErrors({});
  }

  const start = (action: RoleRunAction) => {
    if (!role) {
      setErrors({ role: t('ansibleRoles.assign.requiredField') });
      return;
    }
    const { variables, problems } = variablesToSend(role, values, {
      required: t('ansibleRoles.assign.requiredField'),
      integer: t('ansibleRoles.assign.integerField'),
    });
    if (Object.keys(problems).length > 0) {
      setErrors(problems);
      return;
    }
    setErrors({});
    const done = (taskId: string) => {
      onStarted({ taskId, action, role: role.name });
    };
    const failed = (error: Error) => {
      setErrors(errorsOf(error));
    };
    if (single !== undefined)
      runOne.mutate(
        { action, role: role.name, variables, replace: action === 'apply' && other !== undefined && replace },
        { onSuccess: done, onError: failed },
      );
    else
      runMany.mutate(
        { server_names: names, role: role.name, variables, ...(replace ? { replace: true } : {}) },
        { onSuccess: done, onError: failed },
      );
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    start('apply');
  };

  const label = role ? roleTexts(role, i18n.language).label : '';
  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={
        single !== undefined
          ? t('ansibleRoles.assign.title', { name: single })
          : t('ansibleRoles.assign.titleMany', { count: names.length })
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {single === undefined ? (
            <Text size="sm" data-testid="role-assign-servers">
              {t('ansibleRoles.assign.servers', { names: names.join(', ') })}
            </Text>
          ) : null}
          {roles.isError ? (
            <Alert color="red" role="alert">
              {t('ansibleRoles.loadFailed', { error: roles.error.message })}
            </Alert>
          ) : null}
          <Select
            label={t('ansibleRoles.assign.role')}
            placeholder={t('ansibleRoles.assign.choose')}
            required
            data-autofocus
            disabled={roles.isPending}
            data={(roles.data ?? []).map((entry) => ({
              value: entry.name,
              label: `${roleTexts(entry, i18n.language).label} (${entry.name})`,
            }))}
            value={roleName}
            error={errors.role}
            onChange={setRoleName}
          />
          {role ? (
            <>
              <Text size="sm" c="dimmed">
                {roleTexts(role, i18n.language).description}
              </Text>
              <RoleVariableFields
                role={role}
                values={values}
                errors={errors}
                onChange={(name, value) => {
                  setValues((previous) => ({ ...previous, [name]: value }));
                }}
              />
            </>
          ) : null}
          {other !== undefined && role ? (
            <>
              <Checkbox
                label={t('ansibleRoles.assign.replace', { current: other })}
                description={
                  otherRole?.removable === false
                    ? t('ansibleRoles.assign.replaceNotRemovable', { current: other })
                    : t('ansibleRoles.assign.replaceRemovable', { current: other, name: single, role: label })
                }
                checked={replace}
                error={errors.replace}
                onChange={(event) => {
                  setReplace(event.currentTarget.checked);
                }}
              />
              {replace ? null : (
                <Alert color="yellow" p="xs" data-testid="role-switch-note">
                  {t('ansibleRoles.assign.switchNote', { current: other })}
                </Alert>
              )}
            </>
          ) : null}
          {single === undefined && role ? (
            <Checkbox
              label={t('ansibleRoles.assign.replaceMany')}
              description={t('ansibleRoles.assign.replaceManyHint')}
              checked={replace}
              error={errors.replace}
              onChange={(event) => {
                setReplace(event.currentTarget.checked);
              }}
            />
          ) : null}

          {errors.form ? (
            <Alert color="red" role="alert">
              {t('ansibleRoles.assign.failed', { error: errors.form })}
            </Alert>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            {single !== undefined ? (
              <Button
                variant="light"
                disabled={!role || pending}
                onClick={() => {
                  start('dry_run');
                }}
              >
                {t('ansibleRoles.assign.dryRun')}
              </Button>
            ) : null}
            <Button type="submit" loading={pending} disabled={!role}>
              {t('ansibleRoles.assign.apply', { role: label })}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
