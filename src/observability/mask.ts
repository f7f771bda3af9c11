/** A PAR is never logged whole: first 4 and last 4 characters (konaplate.md, pitfalls). */
export function maskPar(par: string): string {
  return `${par.slice(0, 4)}…${par.slice(-4)}`;
}

const PAR_IN_PATH = /(\/cards\/)([^/?]+)/;

/** The URL with any card PAR in its path masked. */
export function maskUrl(url: string): string {
  return url.replace(PAR_IN_PATH, (_, prefix: string, par: string) => prefix + maskPar(par));
}
