/**
 * The dashboard's texts.
 * Each top-level key is a namespace this file owns (`t('dashboard.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from '../../lib/i18n';

const en = {
  dashboard: {
    title: 'Dashboard',
    welcome: 'Welcome, {{name}}',
    summary: 'You are signed in as {{username}} with the role {{role}}.',
    systemStatus: 'System status',
    overall: 'Overall',
    checkedAt: 'Checked {{time}}',
    refresh: 'Refresh',
    statusUnavailable: 'The status could not be loaded.',
    latency: '{{ms}} ms',
    checks: {
      postgres: 'PostgreSQL',
      redis: 'Redis',
      proxmox: 'Proxmox VE',
    },
    tasks: {
      title: 'Tasks',
      viewAll: 'All tasks',
      running: 'Running',
      finished: 'Recently finished',
      empty: 'No tasks yet. Long jobs appear here with their progress.',
      noneRunning: 'No task is running.',
      noneFinished: 'No task has finished yet.',
      unavailable: 'The tasks could not be loaded.',
    },
  },
} as const;

const ko: Texts<typeof en> = {
  dashboard: {
    title: '대시보드',
    welcome: '{{name}}님, 환영합니다',
    summary: '{{username}} 계정, {{role}} 역할로 로그인했습니다.',
    systemStatus: '시스템 상태',
    overall: '전체',
    checkedAt: '{{time}} 확인',
    refresh: '새로 고침',
    statusUnavailable: '상태를 불러오지 못했습니다.',
    latency: '{{ms}}ms',
    checks: {
      postgres: 'PostgreSQL',
      redis: 'Redis',
      proxmox: 'Proxmox VE',
    },
    tasks: {
      title: '작업',
      viewAll: '전체 작업',
      running: '실행 중',
      finished: '최근 종료',
      empty: '아직 작업이 없습니다. 오래 걸리는 작업이 진행 상황과 함께 여기에 표시됩니다.',
      noneRunning: '실행 중인 작업이 없습니다.',
      noneFinished: '아직 종료된 작업이 없습니다.',
      unavailable: '작업을 불러오지 못했습니다.',
    },
  },
};

export const dashboardLocales = { en, ko };
