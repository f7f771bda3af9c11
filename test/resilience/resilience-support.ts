/**
 * What the resilience suites share: timing a call, reading the gateway's own metrics, and a
 * gateway started for one test and always closed.
 */
import type { RunningGateway } from '../support/gateway';
import { callGateway, startGateway } from '../support/gateway';

/** Resolves after `ms`. Only for waits that are themselves the behaviour (a cool-down). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `act` and measures it, from the first byte sent to the last byte read. */
export async function timed<T>(act: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await act();
  return { answer, ms: performance.now() - started };
}

/** Boots a gateway for one test body and closes it whatever happens. */
export async function withGateway<T>(
  env: Record<string, string | undefined>,
  body: (gateway: RunningGateway) => Promise<T>,
): Promise<T> {
  const gateway = await startGateway(env);
  try {
    return await body(gateway);
  } finally {
    await gateway.close();
  }
}

/**
 * The value of one sample of the gateway's /metrics (on its management port), or undefined when
 * it is not exported. `labels` is written as Prometheus prints it, e.g. `operation="card-limit-update"`.
 */
export async function metric(
  gateway: { managementUrl: string },
  name: string,
  labels: string,
): Promise<number | undefined> {
  const { status, text } = await callGateway({ url: gateway.managementUrl }, 'GET', '/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
