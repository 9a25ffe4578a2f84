import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { makeProfile, makeSession, makeUser, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import { checkPasswordForm } from './password-policy';

describe('password policy', () => {
  const base = { current: 'old-password-1', next: 'a-new-password', confirm: 'a-new-password' };

  it('accepts a long password that is not the username', () => {
    expect(checkPasswordForm(base, 'kim')).toEqual({});
  });

  it('refuses fewer than 10 characters, the username, and a wrong repetition', () => {
    expect(checkPasswordForm({ ...base, next: 'short-pw1', confirm: 'short-pw1' }, 'kim')).toEqual({
      next: 'tooShort',
    });
    expect(
      checkPasswordForm({ ...base, next: 'KimMinji123', confirm: 'KimMinji123' }, 'kimminji123'),
    ).toEqual({ next: 'sameAsUsername' });
    expect(checkPasswordForm({ ...base, confirm: 'a-new-passwort' }, 'kim')).toEqual({ confirm: 'mismatch' });
    expect(checkPasswordForm({ current: '', next: '', confirm: '' }, 'kim')).toEqual({
      current: 'required',
      next: 'required',
      confirm: 'required',
    });
  });
});

describe('change-password form', () => {
  function profileApi() {
    return mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser, 'csrf-abc')),
      'GET /api/profile': () => ok(makeProfile(viewerUser)),
    });
  }

  async function fill(current: string, next: string, confirm = next) {
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/^current password/i), current);
    await user.type(screen.getByLabelText(/^new password/i), next);
    await user.type(screen.getByLabelText(/^repeat the new password/i), confirm);
    await user.click(screen.getByRole('button', { name: 'Change password' }));
  }

  it('refuses a password shorter than 10 characters without calling the API', async () => {
    const api = profileApi();
    renderApp('/profile');

    await fill('old-password-1', 'short');

    expect(await screen.findByText('Use at least 10 characters')).toBeInTheDocument();
    expect(screen.getByLabelText(/^new password/i)).toHaveAttribute('aria-invalid', 'true');
    expect(api.calls('POST /change-password')).toHaveLength(0);
  });

  it('refuses the username as the password without calling the API', async () => {
    const longName = makeUser({ username: 'operator-kim' });
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(longName)),
      'GET /api/profile': () => ok(makeProfile(longName)),
    });
    renderApp('/profile');

    await fill('old-password-1', 'Operator-Kim');

    expect(await screen.findByText('The password must not be your username')).toBeInTheDocument();
    expect(api.calls('POST /change-password')).toHaveLength(0);
  });

  it('shows the server error of each field next to it', async () => {
    const api = profileApi();
    api.on('POST /change-password', () =>
      fail(400, 'VALIDATION_FAILED', 'Validation failed', {
        fields: { current_password: 'is not your current password' },
      }),
    );
    renderApp('/profile');

    await fill('wrong-current-1', 'a-brand-new-password');

    expect(await screen.findByText('is not your current password')).toBeInTheDocument();
    expect(screen.getByLabelText(/^current password/i)).toHaveAccessibleDescription(
      'is not your current password',
    );
    expect(screen.getByLabelText(/^current password/i)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText(/^new password/i)).toHaveAttribute('aria-invalid', 'false');
  });

  it('sends the change with the CSRF token and clears the form', async () => {
    const api = profileApi();
    api.on('POST /change-password', () => ok({}));
    renderApp('/profile');

    await fill('old-password-1', 'a-brand-new-password');

    await waitFor(() => {
      expect(api.calls('POST /change-password')).toHaveLength(1);
    });
    const [call] = api.calls('POST /change-password');
    expect(call?.body).toEqual({ current_password: 'old-password-1', new_password: 'a-brand-new-password' });
    expect(call?.headers.get('X-CSRF-Token')).toBe('csrf-abc');
    await waitFor(() => {
      expect(screen.getByLabelText(/^current password/i)).toHaveValue('');
    });
  });
});
