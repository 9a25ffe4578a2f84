import { formatUpid, isTaskSuccess, parseUpid } from './upid';

describe('UPID', () => {
  it('formats pid and starttime as 8 uppercase hex digits and ends with a colon', () => {
    const upid = formatUpid({
      node: 'pve1',
      pid: 0x3a1f2,
      pstart: 0x1b2c3d4,
      starttime: 0x6745f0a1,
      type: 'qmclone',
      id: '9000',
      user: 'svc@pve!platform',
    });
    expect(upid).toBe('UPID:pve1:0003A1F2:01B2C3D4:6745F0A1:qmclone:9000:svc@pve!platform:');
  });

  it('parses what it formats, including token users and empty ids', () => {
    const parsed = parseUpid('UPID:pve2:00001234:0ABCDEF01:6745F0A1:vzdump::root@pam:');
    expect(parsed).toMatchObject({
      node: 'pve2',
      pid: 0x1234,
      pstart: 0xabcdef01,
      starttime: 0x6745f0a1,
      type: 'vzdump',
      id: '',
      user: 'root@pam',
    });
  });

  it('rejects wrong widths and a missing trailing colon', () => {
    expect(parseUpid('UPID:pve1:3A1F2:01B2C3D4:6745F0A1:qmstart:100:root@pam:')).toBeUndefined();
    expect(parseUpid('UPID:pve1:0003A1F2:01B2C3D4:6745F0A1:qmstart:100:root@pam')).toBeUndefined();
  });

  it('treats OK and WARNINGS: n as success, anything else as failure', () => {
    expect(isTaskSuccess('OK')).toBe(true);
    expect(isTaskSuccess('WARNINGS: 2')).toBe(true);
    expect(isTaskSuccess('VM 100 already running')).toBe(false);
    expect(isTaskSuccess(undefined)).toBe(false);
  });
});
