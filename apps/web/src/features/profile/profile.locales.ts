/**
 * The profile page's texts: the account, one's own sessions, the password change.
 * Each top-level key is a namespace this file owns (`t('profile.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from '../../lib/i18n';

const en = {
  profile: {
    title: 'Profile',
    account: 'Account',
    username: 'Username',
    name: 'Name',
    email: 'Email',
    role: 'Role',
    permissions: 'Permissions',
    noPermissions: 'No permissions',
    active: 'Status',
    activeYes: 'Active',
    activeNo: 'Disabled',
    createdAt: 'Created',
    lastLogin: 'Last sign-in',
    loadFailed: 'The profile could not be loaded.',
    sessions: {
      title: 'Active sessions',
      description: 'Where your account is signed in right now.',
      started: 'Signed in',
      lastSeen: 'Last activity',
      expires: 'Expires',
      address: 'Address',
      client: 'Browser',
      current: 'This session',
      none: 'No other sessions.',
    },
  },
  changePassword: {
    title: 'Change password',
    description: 'Changing your password signs out your other sessions.',
    current: 'Current password',
    new: 'New password',
    confirm: 'Repeat the new password',
    policy: 'At least 10 characters, and not your username.',
    submit: 'Change password',
    success: 'Password changed. Your other sessions were signed out.',
    failed: 'The password was not changed',
    errors: {
      required: 'Required',
      tooShort: 'Use at least 10 characters',
      sameAsUsername: 'The password must not be your username',
      mismatch: 'The passwords do not match',
      sameAsCurrent: 'Choose a password different from the current one',
    },
  },
} as const;

const ko: Texts<typeof en> = {
  profile: {
    title: '내 정보',
    account: '계정',
    username: '사용자 이름',
    name: '이름',
    email: '이메일',
    role: '역할',
    permissions: '권한',
    noPermissions: '권한 없음',
    active: '상태',
    activeYes: '활성',
    activeNo: '비활성',
    createdAt: '생성일',
    lastLogin: '마지막 로그인',
    loadFailed: '내 정보를 불러오지 못했습니다.',
    sessions: {
      title: '활성 세션',
      description: '지금 내 계정으로 로그인된 곳입니다.',
      started: '로그인',
      lastSeen: '마지막 활동',
      expires: '만료',
      address: '주소',
      client: '브라우저',
      current: '현재 세션',
      none: '다른 세션이 없습니다.',
    },
  },
  changePassword: {
    title: '비밀번호 변경',
    description: '비밀번호를 바꾸면 다른 세션은 모두 로그아웃됩니다.',
    current: '현재 비밀번호',
    new: '새 비밀번호',
    confirm: '새 비밀번호 확인',
    policy: '10자 이상, 사용자 이름과 달라야 합니다.',
    submit: '비밀번호 변경',
    success: '비밀번호를 변경했습니다. 다른 세션은 로그아웃되었습니다.',
    failed: '비밀번호를 변경하지 못했습니다',
    errors: {
      required: '필수 항목입니다',
      tooShort: '10자 이상 입력하세요',
      sameAsUsername: '사용자 이름을 비밀번호로 쓸 수 없습니다',
      mismatch: '비밀번호가 일치하지 않습니다',
      sameAsCurrent: '현재 비밀번호와 다른 비밀번호를 입력하세요',
    },
  },
};

export const profileLocales = { en, ko };
