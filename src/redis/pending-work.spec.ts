import { PendingRedisWork } from './pending-work';

/** A promise and its resolve/reject, to settle it when the test says. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PendingRedisWork (what shutdown waits for before closing Redis)', () => {
  it('has nothing to wait for when no write is under way', async () => {
    await expect(new PendingRedisWork().settle(10_000)).resolves.toBe(0);
  });

  it('waits until every tracked write has settled, failed ones included', async () => {
    // Arrange
    const work = new PendingRedisWork();
    const stored = deferred();
    const failed = deferred();
    work.track(stored.promise);
    work.track(failed.promise);
    let left: number | undefined;

    // Act: settle() is still waiting after one write; both done → it resolves.
    const settling = work.settle(10_000).then((n) => (left = n));
    stored.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    const afterOne = left;
    failed.reject(new Error('READONLY'));
    await settling;

    // Assert
    expect(afterOne).toBeUndefined();
    expect(left).toBe(0);
  });

  it('gives up after its bound and says how many writes were left', async () => {
    // Arrange: one write that never ends, one that does.
    jest.useFakeTimers();
    try {
      const work = new PendingRedisWork();
      work.track(new Promise(() => undefined));
      work.track(Promise.resolve());
      await Promise.resolve();

      // Act: the bound passes.
      let left: number | undefined;
      const settling = work.settle(2000).then((n) => (left = n));
      await jest.advanceTimersByTimeAsync(1999);
      const before2s = left;
      await jest.advanceTimersByTimeAsync(1);
      await settling;

      // Assert: not before 2 s, then with the one unfinished write.
      expect(before2s).toBeUndefined();
      expect(left).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
