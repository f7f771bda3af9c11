/**
 * Entry point of the KONA PLATE sandbox (`node dist/sandbox/test/sandbox/main.js`,
 * `npm run sandbox`).
 * Configuration comes from SANDBOX_* variables (see env-options.ts). Prints one JSON line on stdout
 * once listening, so scripts can wait for it and read the port.
 */
import { optionsFromEnv } from './env-options';
import { startSandbox } from './sandbox.server';

async function main(): Promise<void> {
  const options = optionsFromEnv();
  const sandbox = await startSandbox(options);
  // Only the public facts: the secret key, the access key and the private key are never printed.
  process.stdout.write(
    JSON.stringify({
      msg: 'listening',
      service: 'kona-sandbox',
      host: options.host,
      port: sandbox.port,
      url: sandbox.url,
      aspId: options.aspId,
      encryption: sandbox.encrypted,
      tls: sandbox.tls,
    }) + '\n',
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(
      JSON.stringify({ msg: 'closing', service: 'kona-sandbox', signal }) + '\n',
    );
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    JSON.stringify({
      msg: 'failed to start',
      service: 'kona-sandbox',
      error: error instanceof Error ? error.message : String(error),
    }) + '\n',
  );
  process.exit(1);
});
