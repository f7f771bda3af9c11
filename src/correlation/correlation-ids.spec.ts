import { SEQUENCES_PER_SECOND } from '../konaplate/correlation-id';
import { CorrelationIds } from './correlation-ids';
import { FixedInstanceSlot } from './fixed-instance-slot';
import { InstanceSlot, NoInstanceSlotError } from './instance-slot';

/** A hand-moved clock; waiting moves it (no real time passes in these tests). */
function clockAt(iso: string) {
  const clock = { ms: Date.parse(iso), waits: [] as number[] };
  const wait = (ms: number) => {
    clock.waits.push(ms);
    clock.ms += ms;
    return Promise.resolve();
  };
  return { clock, now: () => clock.ms, wait };
}

async function take(ids: CorrelationIds, count: number) {
  const issued = [];
  for (let i = 0; i < count; i++) issued.push(await ids.next());
  return issued;
}

class NoSlot extends InstanceSlot {
  current(): undefined {
    return undefined;
  }
}

describe('CorrelationIds', () => {
  it('never repeats an id within one second, even at 65,536 ids (28 random bits would)', async () => {
    // Arrange: with random suffixes a repeat among 65,536 ids has odds of about 1 - e^-8.
    const { now, wait } = clockAt('2026-11-22T05:30:05.000Z');
    const ids = new CorrelationIds(new FixedInstanceSlot(7), 'KST', now, wait);

    // Act
    const issued = await take(ids, SEQUENCES_PER_SECOND);

    // Assert
    expect(new Set(issued.map((i) => i.id)).size).toBe(SEQUENCES_PER_SECOND);
    expect(issued.every((i) => i.id.startsWith('261122143005-007'))).toBe(true);
  });

  it('gives two instances with different slots disjoint ids in the same second', async () => {
    // Arrange
    const a = clockAt('2026-11-22T05:30:05.000Z');
    const b = clockAt('2026-11-22T05:30:05.000Z');
    const first = new CorrelationIds(new FixedInstanceSlot(1), 'KST', a.now, a.wait);
    const second = new CorrelationIds(new FixedInstanceSlot(2), 'KST', b.now, b.wait);

    // Act
    const ids = [...(await take(first, 1000)), ...(await take(second, 1000))].map((i) => i.id);

    // Assert
    expect(new Set(ids).size).toBe(2000);
  });

  it('waits for the next second once a second is used up, and says the new instant', async () => {
    // Arrange
    const { clock, now, wait } = clockAt('2026-11-22T05:30:05.250Z');
    const ids = new CorrelationIds(new FixedInstanceSlot(1), 'KST', now, wait);
    await take(ids, SEQUENCES_PER_SECOND);

    // Act
    const next = await ids.next();

    // Assert: 750 ms waited, the id names second :06 and its sequence starts again.
    expect(clock.waits).toEqual([750]);
    expect(next.id).toBe('261122143006-0010000');
    expect(next.at.toISOString()).toBe('2026-11-22T05:30:06.000Z');
  });

  it('keeps counting in the last second it used when the clock steps back', async () => {
    // Arrange
    const { clock, now, wait } = clockAt('2026-11-22T05:30:05.500Z');
    const ids = new CorrelationIds(new FixedInstanceSlot(1), 'KST', now, wait);
    const before = await take(ids, 3);
    clock.ms -= 2000;

    // Act
    const after = await ids.next();

    // Assert: the id still names :05, with the next sequence, and its instant agrees with it.
    expect(before.map((i) => i.id)).toEqual([
      '261122143005-0010000',
      '261122143005-0010001',
      '261122143005-0010002',
    ]);
    expect(after.id).toBe('261122143005-0010003');
    expect(after.at.toISOString()).toBe('2026-11-22T05:30:05.000Z');
  });

  it('refuses to make an id while the instance holds no slot', async () => {
    // Arrange
    const ids = new CorrelationIds(new NoSlot(), 'KST');

    // Act + Assert
    await expect(ids.next()).rejects.toBeInstanceOf(NoInstanceSlotError);
  });
});
