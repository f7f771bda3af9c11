/**
 * PromQL read with Prometheus' own grammar (@prometheus-io/lezer-promql, the parser of the
 * Prometheus UI): syntax errors, and the selectors an expression names, for checks against the
 * metrics the gateway really exports.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  label: string;
  op: string;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface ParsedQuery {
  /** Text of each syntax error the parser recovered from, with its offset. */
  errors: string[];
  selectors: Selector[];
  /** Labels named in `by (...)`, `without (...)`, `on (...)` and `ignoring (...)`. */
  groupingLabels: string[];
}

/** Grafana's built-in interval variables, which are not PromQL, as a duration PromQL accepts. */
export function fromGrafana(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

const unquote = (literal: string): string => JSON.parse(literal.replace(/^'|'$/g, '"')) as string;

export function parsePromql(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  const text = (from: number, to: number): string => expr.slice(from, to);
  const result: ParsedQuery = { errors: [], selectors: [], groupingLabels: [] };
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    if (node.type.isError)
      result.errors.push(`at ${node.from}: "${text(node.from, node.to + 10)}"`);
    if (node.name === 'VectorSelector') {
      const name = node.getChild('Identifier');
      const matchers = (
        node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []
      ).map((m) => ({
        label: text(m.getChild('LabelName')!.from, m.getChild('LabelName')!.to),
        op: text(m.getChild('MatchOp')!.from, m.getChild('MatchOp')!.to),
        value: unquote(text(m.getChild('StringLiteral')!.from, m.getChild('StringLiteral')!.to)),
      }));
      // `{__name__="x"}` and quoted label names are valid PromQL, but not used here: refused.
      if (!name) result.errors.push(`selector without a metric name: ${text(node.from, node.to)}`);
      if (node.getChild('LabelMatchers')?.getChild('QuotedLabelMatcher')) {
        result.errors.push(`quoted label matcher: ${text(node.from, node.to)}`);
      }
      result.selectors.push({ metric: name ? text(name.from, name.to) : '', matchers });
    }
    if (node.name === 'GroupingLabels') {
      for (const label of node.getChildren('LabelName')) {
        result.groupingLabels.push(text(label.from, label.to));
      }
    }
  } while (cursor.next());
  return result;
}
