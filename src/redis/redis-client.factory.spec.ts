import { reconnectDelayMs, reconnectOnReadOnly } from './redis-client.factory';

describe('reconnectDelayMs', () => {
  it('doubles from 100 ms and stops growing at 2 s', () => {
    const upperBounds = [1, 2, 3, 4, 5, 6, 10].map((attempt) => reconnectDelayMs(attempt, () => 1));

    expect(upperBounds).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('waits at least half of the capped delay, so reconnects spread out but never hammer', () => {
    const lowerBounds = [1, 5, 10].map((attempt) => reconnectDelayMs(attempt, () => 0));

    expect(lowerBounds).toEqual([50, 800, 1000]);
  });

  it('never gives up: every attempt gets a finite delay', () => {
    expect(Number.isFinite(reconnectDelayMs(10_000))).toBe(true);
  });
});

describe('reconnectOnReadOnly', () => {
  it('reconnects, without resending, when a write reached a demoted primary', () => {
    // As Redis 7.0 answers a plain write and a script's write on a replica (seen on redis-server).
    const plain = "READONLY You can't write against a read only replica.";
    const script = `${plain} script: 219bb33e7c6773035c720850383aa2ebb63d9904, on @user_script:1.`;
    // As Redis 6 wraps a script's error.
    const wrapped = `ERR Error running script (call to f_219b): @user_script:1: -${plain}`;

    expect([plain, script, wrapped].map((m) => reconnectOnReadOnly(new Error(m)))).toEqual([
      1, 1, 1,
    ]);
  });

  it('leaves every other error to the request (a 503 without a reconnect)', () => {
    const others = [
      'Command timed out',
      'NOSCRIPT No matching script. Please use EVAL.',
      "ERR unknown command 'READONLYX'",
      'MOVED 3999 127.0.0.1:6381',
    ];

    expect(others.map((m) => reconnectOnReadOnly(new Error(m)))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
