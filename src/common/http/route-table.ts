import type { FastifyInstance } from 'fastify';

interface Route {
  pattern: RegExp;
  methods: Set<string>;
}

/**
 * Every method and path the gateway serves, as Fastify registers them (the API routes come from
 * the operation descriptors, plus the probes, /metrics and /docs): what 405's Allow and CORS'
 * Allow-Methods are derived from. Fill it with {@link RouteTable.collect} before any route is added.
 */
export class RouteTable {
  private readonly routes = new Map<string, Route>();

  collect(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      this.add(route.url, methods);
    });
  }

  add(path: string, methods: readonly string[]): void {
    // A catch-all would make every unknown path "known".
    if (path === '*' || path === '/*') return;
    const route = this.routes.get(path) ?? { pattern: toPattern(path), methods: new Set() };
    for (const method of methods) route.methods.add(method.toUpperCase());
    if (route.methods.has('GET')) route.methods.add('HEAD');
    this.routes.set(path, route);
  }

  /** The methods served at `url` (its path, as Fastify's router matches it), sorted; [] if none. */
  methodsAt(url: string): string[] {
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const methods = new Set<string>();
    for (const route of this.routes.values()) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }

  /** Every registered path with its methods (for tests and the README). */
  entries(): [string, string[]][] {
    return [...this.routes].map(([path, route]) => [path, [...route.methods].sort()]);
  }
}

/** Fastify's path syntax to a regex: `:name` is one non-empty segment, `*` anything. */
function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
