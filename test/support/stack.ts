import type { RunningSandbox, SandboxOptions } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from './gateway';
import { gatewayEnv, startGateway } from './gateway';

export interface Stack {
  sandbox: RunningSandbox;
  gateway: RunningGateway;
}

/**
 * A KONA sandbox and a gateway wired to it (and to the run's Redis), started before the file's
 * tests and closed after them; `assign` hands them to the file's own variables.
 */
export function useStack(
  assign: (stack: Stack) => void,
  overrides: Record<string, string | undefined> = {},
  sandboxOptions: SandboxOptions = {},
): void {
  let stack: Partial<Stack> = {};
  beforeAll(async () => {
    const sandbox = await startSandbox({
      port: 0,
      host: '127.0.0.1',
      quiet: true,
      ...sandboxOptions,
    });
    stack = { sandbox };
    const gateway = await startGateway(gatewayEnv(sandbox.url, overrides));
    stack = { sandbox, gateway };
    assign({ sandbox, gateway });
  });
  afterAll(async () => {
    await stack.gateway?.close();
    await stack.sandbox?.close();
  });
}
