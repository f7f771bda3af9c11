import { MetricsService } from '../../src/observability/metrics.service';
import type { RunningGateway } from '../support/gateway';

/** The value of one sample of the gateway's metrics, read in-process (whatever port serves them). */
export async function metricValue(
  gateway: RunningGateway,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const all = await gateway.app.get(MetricsService).registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  const matching = (metric?.values ?? []).filter((v) =>
    Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
  );
  return matching.reduce((sum, v) => sum + v.value, 0);
}
