/** A PAR is never logged whole: first 4 and last 4 characters (konaplate.md, pitfalls). */
export function maskPar(par: string): string {
  return `${par.slice(0, 4)}…${par.slice(-4)}`;
}

const PAR_IN_PATH = /(\/cards\/)([^/?]+)/;

/** The URL's path, without its query (which may carry anything), with any card PAR masked. */
export function maskUrl(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return path.replace(PAR_IN_PATH, (_, prefix: string, par: string) => prefix + maskPar(par));
}
