import type { Texts } from '../../lib/i18n';

const en = {
  cleanup: {
    title: 'Cleanup',
    description:
      'What failed creations, stalled ones and vanished VMs left behind. Cleaning removes only what Proxdeck made.',
    loadFailed: 'The list could not be loaded.',
    empty: 'Nothing to clean up.',
    select: 'Select {{name}}',
    selectAll: 'Select all',
    columns: { name: 'Server', kind: 'Why', vm: 'VM', error: 'Error', since: 'Since' },
    kinds: {
      failed: 'Creation failed',
      stuck_creating: 'Creating for too long',
      missing: 'VM gone from Proxmox',
      orphan_vm: 'VM without a record',
    },
    clean: 'Clean up',
    cleanSelected_one: 'Clean up 1 server',
    cleanSelected_other: 'Clean up {{count}} servers',
    confirmTitle_one: 'Clean up {{names}}?',
    confirmTitle_other: 'Clean up {{count}} servers?',
    confirmBody:
      'For {{names}}: their VMs in Proxmox are stopped and destroyed with their disks (only VMs Proxdeck made), their IP addresses and VMIDs are released, and their records are removed. This cannot be undone.',
    confirm: 'Destroy and clean up',
    queued: 'Cleanup queued.',
    openTask: 'Follow the task',
    failed: 'The cleanup could not be started: {{error}}',
  },
} as const;

const ko: Texts<typeof en> = {
  cleanup: {
    title: '정리',
    description: '실패한 생성, 멈춘 생성, 사라진 VM이 남긴 것입니다. 정리는 Proxdeck이 만든 것만 지웁니다.',
    loadFailed: '목록을 불러오지 못했습니다.',
    empty: '정리할 것이 없습니다.',
    select: '{{name}} 선택',
    selectAll: '모두 선택',
    columns: { name: '서버', kind: '이유', vm: '가상 머신', error: '오류', since: '시점' },
    kinds: {
      failed: '생성 실패',
      stuck_creating: '생성이 너무 오래 걸림',
      missing: 'Proxmox에서 VM이 사라짐',
      orphan_vm: '기록 없는 VM',
    },
    clean: '정리',
    cleanSelected_one: '서버 1대 정리',
    cleanSelected_other: '서버 {{count}}대 정리',
    confirmTitle_one: '{{names}}을(를) 정리할까요?',
    confirmTitle_other: '서버 {{count}}대를 정리할까요?',
    confirmBody:
      '{{names}}: Proxmox의 VM을 중지하고 디스크와 함께 삭제하며(Proxdeck이 만든 VM만), IP 주소와 VMID를 반납하고 기록을 지웁니다. 되돌릴 수 없습니다.',
    confirm: '삭제하고 정리',
    queued: '정리 작업을 대기열에 넣었습니다.',
    openTask: '작업 보기',
    failed: '정리를 시작하지 못했습니다: {{error}}',
  },
};

export const cleanupLocales = { en, ko };
