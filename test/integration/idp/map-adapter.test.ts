import { afterEach, describe, expect, it } from 'vitest';
import { setClockOffsetMs } from '../../../src/idp/clock.ts';
import { createMapAdapter } from '../../../src/idp/map-adapter.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('map adapter', () => {
  afterEach(() => setClockOffsetMs(0));

  it('holds far more than the built-in LRU (1000) without evicting', async () => {
    const store = createMapAdapter();
    const codes = new store.Adapter('AuthorizationCode');
    for (let i = 0; i < 5000; i++) await codes.upsert(`c${i}`, { grantId: `g${i}` }, 60);
    expect(store.size()).toBe(5000);
    expect(await codes.find('c0')).toEqual({ grantId: 'g0' });
    expect(store.sweep()).toBe(0);
    store.close();
  });

  it('sweeps entries past TTL + grace, not before', async () => {
    const store = createMapAdapter({ graceSec: 0.05 });
    const a = new store.Adapter('Interaction');
    await a.upsert('short', { uid: 'short' }, 0.05);
    await a.upsert('long', { uid: 'long' }, 60);
    await a.upsert('forever', { uid: 'forever' });
    expect(store.sweep()).toBe(0);
    await sleep(130);
    expect(store.sweep()).toBe(1);
    expect(await a.find('short')).toBeUndefined();
    expect(await a.find('long')).toBeDefined();
    expect(await a.find('forever')).toBeDefined();
    store.close();
  });

  it('a backward clock offset postpones sweeping by the offset', async () => {
    const store = createMapAdapter({ graceSec: 0 });
    const a = new store.Adapter('Session');
    await a.upsert('s1', { uid: 'u1' }, 0.05);
    setClockOffsetMs(-10_000);
    await sleep(80);
    expect(store.sweep()).toBe(0);
    setClockOffsetMs(0);
    expect(store.sweep()).toBe(1);
    store.close();
  });

  it('indexes sessions by uid and device codes by user code; destroy drops the indexes', async () => {
    const store = createMapAdapter();
    const sessions = new store.Adapter('Session');
    const devices = new store.Adapter('DeviceCode');
    await sessions.upsert('sid1', { uid: 'uid1', accountId: 'alice' }, 60);
    await devices.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await sessions.findByUid('uid1')).toMatchObject({ accountId: 'alice' });
    expect(await devices.findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH' });
    await sessions.destroy('sid1');
    await devices.destroy('d1');
    expect(await sessions.findByUid('uid1')).toBeUndefined();
    expect(await devices.findByUserCode('ABCD-EFGH')).toBeUndefined();
    expect(store.size()).toBe(0);
    store.close();
  });

  it('consume marks the payload; revokeByGrantId removes every artifact of the grant only', async () => {
    const store = createMapAdapter();
    const codes = new store.Adapter('AuthorizationCode');
    const tokens = new store.Adapter('AccessToken');
    const grants = new store.Adapter('Grant');
    await grants.upsert('g1', { accountId: 'alice' }, 60);
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await tokens.upsert('t1', { grantId: 'g1' }, 60);
    await tokens.upsert('t2', { grantId: 'g2' }, 60);
    await codes.consume('c1');
    const consumed = (await codes.find('c1'))?.consumed;
    expect(typeof consumed).toBe('number');
    expect(Math.abs(Number(consumed) - Date.now() / 1000)).toBeLessThan(2);
    await tokens.revokeByGrantId('g1');
    expect(await codes.find('c1')).toBeUndefined();
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await tokens.find('t2')).toBeDefined();
    expect(await grants.find('g1')).toBeDefined();
    store.close();
  });
});
