import { FakeTransport } from '../testing/fake-kona-transport';
import { TransportFailure } from './kona-transport';
import { retryReason, sendWithRetry } from './send-with-retry';

const REQUEST = { path: '/api/v1/user/namedcard', body: '{}', headers: {} };
const OK = { status: 200, text: '{"code":"000_000"}' };

describe('retryReason', () => {
  it.each([
    ['refused', false, 'refused'],
    ['reset', false, 'unsent'],
    ['other', false, 'unsent'],
    ['reset', true, undefined],
    ['other', true, undefined],
    ['timeout', true, undefined],
    ['timeout', false, undefined],
  ] as const)('%s with requestWritten %s → %s', (kind, written, reason) => {
    expect(retryReason(new TransportFailure(kind, written, 'x'))).toBe(reason);
  });
});

describe('sendWithRetry', () => {
  it('sends once more after a refused connection and reports it before sending', async () => {
    // Arrange
    const transport = new FakeTransport().answer(
      new TransportFailure('refused', false, 'ECONNREFUSED'),
      OK,
    );
    const seen: [string, number][] = [];

    // Act
    const answer = await sendWithRetry(transport, REQUEST, Date.now() + 1000, (reason) =>
      seen.push([reason, transport.requests.length]),
    );

    // Assert
    expect(answer).toEqual(OK);
    expect(seen).toEqual([['refused', 1]]);
    expect(transport.requests).toHaveLength(2);
  });

  it('gives up without a retry (and without reporting one) when the deadline is nearly spent', async () => {
    // Arrange
    const refused = new TransportFailure('refused', false, 'ECONNREFUSED');
    const transport = new FakeTransport().answer(refused, OK);
    const onRetry = jest.fn();

    // Act
    const sent = sendWithRetry(transport, REQUEST, Date.now() + 50, onRetry);

    // Assert
    await expect(sent).rejects.toBe(refused);
    expect(transport.requests).toHaveLength(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('lets the second failure through: at most one retry', async () => {
    // Arrange
    const second = new TransportFailure('reset', false, 'ECONNRESET');
    const transport = new FakeTransport().answer(
      new TransportFailure('reset', false, 'ECONNRESET'),
      second,
      OK,
    );

    // Act
    const sent = sendWithRetry(transport, REQUEST, Date.now() + 1000);

    // Assert
    await expect(sent).rejects.toBe(second);
    expect(transport.requests).toHaveLength(2);
  });
});
