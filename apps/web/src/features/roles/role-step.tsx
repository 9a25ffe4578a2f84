import { Fieldset, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { RoleVariableFields, initialVariables, roleTexts, variablesToSend } from './role-variables';
import { rolesQueryOptions, type Role, type RoleVariables } from './roles.queries';

/** The role chosen in a creation form and the values of its settings, as typed. */
export interface RoleChoice {
  role: string;
  values: RoleVariables;
}

export const NO_ROLE: RoleChoice = { role: '', values: {} };

/**
 * What a creation request carries for `choice` (`role`, `role_variables`), or the problems found first, named
 * as the API names them (`role_variables.<name>`). The catalogue gives the settings' types.
 */
export function creationRoleFields(
  choice: RoleChoice,
  catalogue: readonly Role[] | undefined,
  messages: { required: string; integer: string },
): { fields: { role?: string; role_variables?: RoleVariables }; problems: Record<string, string> } {
  if (!choice.role) return { fields: {}, problems: {} };
  const role = catalogue?.find((entry) => entry.name === choice.role);
  if (!role) return { fields: { role: choice.role }, problems: {} };
  const { variables, problems } = variablesToSend(role, choice.values, messages);
  return {
    fields: {
      role: choice.role,
      ...(Object.keys(variables).length > 0 ? { role_variables: variables } : {}),
    },
    problems: Object.fromEntries(
      Object.entries(problems).map(([field, message]) => [`role_${field}`, message]),
    ),
  };
}

/**
 * The creation form's Role section: an optional role from the catalogue, run as the creation's last step, and a
 * form built from its settings. `errors` are the API's or the form's, by `role` and `role_variables.<name>`.
 */
export function RoleStep({
  choice,
  errors,
  onChange,
}: {
  choice: RoleChoice;
  errors: Readonly<Record<string, string>>;
  onChange: (choice: RoleChoice) => void;
}) {
  const { t, i18n } = useTranslation();
  const roles = useQuery(rolesQueryOptions);
  const role = roles.data?.find((entry) => entry.name === choice.role);
  const fieldErrors = Object.fromEntries(
    Object.entries(errors)
      .filter(([field]) => field.startsWith('role_variables.'))
      .map(([field, message]) => [field.slice('role_'.length), message]),
  );
  return (
    <Fieldset legend={t('ansibleRoles.creation.legend')}>
      <Stack gap="sm">
        <Select
          label={t('ansibleRoles.assign.role')}
          description={t('ansibleRoles.creation.hint')}
          placeholder={t('ansibleRoles.creation.none')}
          clearable
          disabled={roles.isError}
          data={(roles.data ?? []).map((entry) => ({
            value: entry.name,
            label: `${roleTexts(entry, i18n.language).label} (${entry.name})`,
          }))}
          value={choice.role || null}
          error={
            errors.role ??
            (roles.isError ? t('ansibleRoles.loadFailed', { error: roles.error.message }) : undefined)
          }
          onChange={(name) => {
            const chosen = roles.data?.find((entry) => entry.name === name);
            onChange(chosen ? { role: chosen.name, values: initialVariables(chosen) } : NO_ROLE);
          }}
        />
        {role ? (
          <>
            <Text size="sm" c="dimmed">
              {roleTexts(role, i18n.language).description}
            </Text>
            <RoleVariableFields
              role={role}
              values={choice.values}
              errors={fieldErrors}
              onChange={(name, value) => {
                onChange({ role: choice.role, values: { ...choice.values, [name]: value } });
              }}
            />
          </>
        ) : null}
      </Stack>
    </Fieldset>
  );
}
