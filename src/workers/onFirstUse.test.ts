import { describe, expect, it } from 'vitest';
import { onFirstUse } from './onFirstUse.ts';

describe('onFirstUse', () => {
  it('loads once, on the first get, and is null before', async () => {
    let loads = 0;
    const client = onFirstUse(async () => ({ id: ++loads }));
    expect(client.loaded()).toBeNull();
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([client.get(), client.get()]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    expect(client.loaded()).toBe(a);
  });

  it('tries again after a failed load', async () => {
    let loads = 0;
    const client = onFirstUse(async () => {
      if (++loads === 1) throw new Error('offline');
      return 'client';
    });
    await expect(client.get()).rejects.toThrow('offline');
    expect(await client.get()).toBe('client');
  });
});
