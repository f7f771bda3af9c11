import { reconnectDelayMs } from './redis-client.factory';

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
