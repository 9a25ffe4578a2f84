/** The password policy of docs/api.md §2, checked before the request so the user hears about it at once. */
export const MIN_PASSWORD_LENGTH = 10;

export type PasswordFormValues = { current: string; next: string; confirm: string };
export type PasswordFormField = keyof PasswordFormValues;
export type PasswordProblem = 'required' | 'tooShort' | 'sameAsUsername' | 'mismatch' | 'sameAsCurrent';
export type PasswordProblems = Partial<Record<PasswordFormField, PasswordProblem>>;

export function checkPasswordForm(values: PasswordFormValues, username: string): PasswordProblems {
  const problems: PasswordProblems = {};
  if (!values.current) problems.current = 'required';
  if (!values.next) problems.next = 'required';
  else if (values.next.length < MIN_PASSWORD_LENGTH) problems.next = 'tooShort';
  else if (values.next.trim().toLowerCase() === username.trim().toLowerCase())
    problems.next = 'sameAsUsername';
  else if (values.next === values.current) problems.next = 'sameAsCurrent';
  if (!values.confirm) problems.confirm = 'required';
  else if (values.next && values.confirm !== values.next) problems.confirm = 'mismatch';
  return problems;
}
