import { waitFor } from './wait';

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls === 3 ? 'ready' : undefined), { intervalMs: 1 });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('fails after the deadline naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still booting');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'the API' },
      ),
    ).rejects.toThrow(/waiting for the API: still booting/);
  });
});
