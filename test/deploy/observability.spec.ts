/**
 * The Grafana dashboard (helm/kona-bff/dashboards/kona-bff.json) and the alerts (PrometheusRule)
 * query only what the gateway exports: every PromQL expression parses with Prometheus' grammar,
 * and each metric, label and idempotency outcome it names is one MetricsService registers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { MetricsService } from '../../src/observability/metrics.service';
import { CHART_DIR, RELEASE, removeHelmHome } from './chart-helm';
import { PrometheusRule } from './chart-models';
import { DEFAULT_SET, all, manifest, only } from './chart-manifest';
import { fromGrafana, parsePromql } from './promql';

const ROOT = join(__dirname, '..', '..');
const DASHBOARD_TEXT = readFileSync(join(CHART_DIR, 'dashboards/kona-bff.json'), 'utf8');
const CHART_README = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');

/** Labels Prometheus adds to every scraped series (Prometheus Operator's ServiceMonitor). */
const TARGET_LABELS = ['namespace', 'job', 'pod', 'instance', 'service', 'container', 'endpoint'];

/** Series name -> its labels, from the gateway's own registry (histograms: _bucket/_sum/_count). */
async function exportedSeries(): Promise<Map<string, string[]>> {
  const { registry } = new MetricsService();
  const series = new Map<string, string[]>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const single = registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] };
    const labels = [...(single.labelNames ?? []), ...TARGET_LABELS];
    // prom-client types `type` as a numeric enum; at run time it is the text ('histogram').
    if (String(metric.type) === 'histogram') {
      series.set(`${metric.name}_bucket`, [...labels, 'le']);
      series.set(`${metric.name}_sum`, labels);
      series.set(`${metric.name}_count`, labels);
    } else {
      series.set(metric.name, labels);
    }
  }
  return series;
}

/** The members of the IdempotencyOutcome union, read from the source with TypeScript's parser. */
function idempotencyOutcomes(): string[] {
  const file = join(ROOT, 'src/observability/metrics.service.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const alias = source.statements.find(
    (s): s is ts.TypeAliasDeclaration =>
      ts.isTypeAliasDeclaration(s) && s.name.text === 'IdempotencyOutcome',
  );
  if (!alias || !ts.isUnionTypeNode(alias.type)) throw new Error('IdempotencyOutcome not found');
  return alias.type.types.map((t) => {
    if (!ts.isLiteralTypeNode(t) || !ts.isStringLiteral(t.literal)) throw new Error('not a string');
    return t.literal.text;
  });
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}
const dashboard = JSON.parse(DASHBOARD_TEXT) as Dashboard;
const flatPanels = (panels: Panel[]): Panel[] =>
  panels.flatMap((p) => [p, ...flatPanels(p.panels ?? [])]);

/** Every PromQL the dashboard runs: panel targets and the `label_values(<selector>, label)` of its variables. */
function dashboardQueries(): { where: string; expr: string }[] {
  const targets = flatPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      where: `panel "${panel.title}"`,
      expr: fromGrafana(t.expr),
    })),
  );
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = (v.query as { query: string }).query;
      const inner = /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
      if (!inner) throw new Error(`variable ${v.name}: not label_values(selector, label)`);
      return { where: `variable ${v.name}`, expr: inner };
    });
  return [...targets, ...variables];
}

const rendered = manifest('full-values.yaml');
const rule = only(rendered, PrometheusRule.is);
const alerts = (rule.spec.groups ?? []).flatMap((group) => group.rules ?? []);
const ruleQueries = alerts.map((a) => ({ where: `alert ${a.alert}`, expr: String(a.expr) }));

describe('dashboards and alerts', () => {
  let series: Map<string, string[]>;
  const outcomes = idempotencyOutcomes();

  beforeAll(async () => {
    series = await exportedSeries();
  });
  afterAll(removeHelmHome);

  it('reads the gateway registry (so the checks below compare against something)', () => {
    expect(series.get('konaplate_calls_total')).toEqual(
      expect.arrayContaining(['operation', 'outcome']),
    );
    expect(series.get('http_request_duration_seconds_bucket')).toContain('le');
    expect(outcomes).toContain('complete_failed');
  });

  describe.each([
    ['dashboard', dashboardQueries()],
    ['alerts', ruleQueries],
  ])('%s', (_name, queries) => {
    it('has queries', () => {
      expect(queries.length).toBeGreaterThan(3);
    });

    it.each(queries)('$where: parses as PromQL', ({ expr }) => {
      expect(parsePromql(expr).errors).toEqual([]);
    });

    it.each(queries)('$where: names only exported metrics and their labels', ({ expr }) => {
      const { selectors, groupingLabels } = parsePromql(expr);
      expect(selectors.length).toBeGreaterThan(0);
      const unknown = selectors.map((s) => s.metric).filter((m) => !series.has(m));
      expect(unknown).toEqual([]);
      for (const selector of selectors) {
        const labels = series.get(selector.metric) ?? [];
        expect(selector.matchers.map((m) => m.label).filter((l) => !labels.includes(l))).toEqual(
          [],
        );
      }
      const inQuery = selectors.flatMap((s) => series.get(s.metric) ?? []);
      expect(groupingLabels.filter((l) => !inQuery.includes(l))).toEqual([]);
    });

    it.each(queries)('$where: names only idempotency outcomes the gateway counts', ({ expr }) => {
      const values = parsePromql(expr)
        .selectors.filter((s) => s.metric === 'idempotency_outcomes_total')
        .flatMap((s) => s.matchers.filter((m) => m.label === 'outcome' && m.op === '='))
        .map((m) => m.value);
      expect(values.filter((v) => !outcomes.includes(v))).toEqual([]);
    });
  });

  it('shows every metric of the gateway (beyond the default process metrics) somewhere', () => {
    const shown = new Set(
      dashboardQueries().flatMap(({ expr }) => parsePromql(expr).selectors.map((s) => s.metric)),
    );
    const own = [...series.keys()].filter(
      (name) => !/^(process_|nodejs_)/.test(name) && !/_(sum)$/.test(name),
    );
    const base = (name: string): string => name.replace(/_(bucket|count)$/, '');
    const shownBases = new Set([...shown].map(base));
    expect([...new Set(own.map(base))].filter((name) => !shownBases.has(name))).toEqual([]);
  });

  describe('dashboard ConfigMap', () => {
    it('carries the dashboard file, labelled for the Grafana sidecar, when enabled', () => {
      const maps = all(rendered, ConfigMap.is).filter((m) =>
        m.metadata?.name?.endsWith('-dashboards'),
      );
      expect(maps).toHaveLength(1);
      const [map] = maps;
      expect(map.metadata?.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(map.metadata?.namespace).toBe('monitoring');
      expect(map.metadata?.annotations).toEqual({ grafana_folder: 'Cards' });
      expect(JSON.parse(map.data?.['kona-bff.json'] ?? '')).toEqual(dashboard);
    });

    it('is absent by default, like the PrometheusRule', () => {
      const objects = manifest(DEFAULT_SET);
      expect(all(objects, ConfigMap.is).map((m) => m.metadata?.name)).toEqual(['kb-kona-bff']);
      expect(all(objects, PrometheusRule.is)).toEqual([]);
    });

    it('offers the namespace and job of a release as variables, used by every panel', () => {
      expect(dashboard.templating.list.map((v) => v.name)).toEqual([
        'datasource',
        'namespace',
        'job',
      ]);
      for (const { where, expr } of dashboardQueries().filter((q) => q.where.startsWith('panel'))) {
        for (const selector of parsePromql(expr).selectors) {
          expect({ where, matchers: selector.matchers.slice(0, 2) }).toEqual({
            where,
            matchers: [
              { label: 'namespace', op: '=', value: '$namespace' },
              { label: 'job', op: '=', value: '$job' },
            ],
          });
        }
      }
    });
  });

  describe('PrometheusRule', () => {
    const names = alerts.map((a) => a.alert);

    it('has the five alerts', () => {
      expect(names).toEqual([
        'KonaBffKonaCircuitOpen',
        'KonaBffStoreUnavailable',
        'KonaBffIdempotencyCompletionFailures',
        'KonaBffHighErrorRatio',
        'KonaBffHighLatencyP99',
      ]);
      expect(rule.metadata?.labels).toMatchObject({ release: 'prometheus' });
    });

    it.each(alerts)('$alert: has for, a severity, a summary, a description and a runbook', (a) => {
      expect(a.for).toMatch(/^[1-9][0-9]*[smh]$/);
      expect(['critical', 'warning']).toContain(a.labels?.severity);
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      expect(
        url.startsWith('https://git.example.com/cards/kona-bff/blob/main/helm/kona-bff/README.md#'),
      ).toBe(true);
    });

    it.each(alerts)("$alert: runbook points at a section of the chart's README", (a) => {
      const anchor = (a.annotations?.runbook_url ?? '').split('#')[1];
      const headings = [...CHART_README.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      );
      expect(headings).toContain(anchor);
    });

    it("selects only this release's series: its namespace and the Service's name as job", () => {
      const job = only(rendered, Service.is).metadata?.name;
      for (const { where, expr } of ruleQueries) {
        for (const selector of parsePromql(expr).selectors) {
          expect({ where, matchers: selector.matchers.slice(0, 2) }).toEqual({
            where,
            matchers: [
              { label: 'namespace', op: '=', value: RELEASE.namespace },
              { label: 'job', op: '=', value: job },
            ],
          });
        }
      }
    });

    it('leaves probes, scrapes and docs out of the API alerts', () => {
      for (const name of ['KonaBffHighErrorRatio', 'KonaBffHighLatencyP99']) {
        const expr = String(alerts.find((a) => a.alert === name)?.expr);
        for (const selector of parsePromql(expr).selectors) {
          expect(selector.matchers).toContainEqual({
            label: 'route',
            op: '!~',
            value: '/health/.*|/metrics|/docs.*',
          });
        }
      }
    });

    it('takes its thresholds from the values', () => {
      const expr = (name: string): string => String(alerts.find((a) => a.alert === name)?.expr);
      expect(expr('KonaBffHighErrorRatio')).toMatch(/>\s*0\.02$/);
      expect(expr('KonaBffHighLatencyP99')).toMatch(/>\s*3$/);
    });
  });
});
