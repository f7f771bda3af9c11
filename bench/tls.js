// A throwaway CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI in
// a temporary directory at every benchmark start: KONA is reached over TLS as in production, and
// the clients verify the chain (NODE_EXTRA_CA_CERTS for the gateway, `ca` for the baseline) instead
// of switching verification off. Nothing is reused between runs.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Writes ca.pem, server.pem and server.key into `dir`; returns their paths. */
function makeCertificates(dir) {
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const detail = error.code === 'ENOENT' ? 'openssl is not installed' : String(error.stderr);
      throw new Error(`openssl ${args[0]}: ${detail.trim()}`);
    }
  };
  // P-256 keys: quick to make; with keep-alive agents the handshake happens once per connection,
  // so the key type hardly shows in the per-request numbers.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=kona-bff bench throwaway CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
    '-keyout', file('ca.key'), '-out', file('ca.pem')); // prettier-ignore
  openssl('req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'),
    '-out', file('server.csr')); // prettier-ignore
  fs.writeFileSync(
    file('server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1\n',
  );
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey',
    file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'),
    '-out', file('server.pem')); // prettier-ignore
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}

module.exports = { makeCertificates };
