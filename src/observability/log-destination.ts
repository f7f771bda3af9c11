import { PinoLogger } from 'nestjs-pino';
import { pino } from 'pino';

/**
 * Most bytes of log lines held while stdout is not taking them (a stalled log collector):
 * about 10 000 access-log lines, a second or two of full load. Beyond it a line is dropped
 * rather than kept: pino's default destination buffers without bound, which took the pod to
 * 370-790 MiB in a 30 s stall (issue #14).
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

type Destination = ReturnType<typeof pino.destination>;

let destination: Destination | undefined;
let dropped = 0;
let unannounced = 0;
let announcing = false;

/**
 * The process' one stdout destination (every app in the process shares fd 1): asynchronous,
 * bounded by {@link LOG_BUFFER_BYTES}, dropping (and counting) each line that does not fit.
 * Once a write goes through again, one warn line says how many were lost.
 */
export function stdoutDestination(): Destination {
  if (destination) return destination;
  // pino.destination: sonic-boom on fd 1, flushed at exit like pino's default destination.
  const created = pino.destination({
    fd: 1,
    sync: false,
    minLength: 0,
    maxLength: LOG_BUFFER_BYTES,
  });
  // pino writes each line with one write(), so one 'drop' is one line.
  created.on('drop', () => {
    dropped += 1;
    unannounced += 1;
  });
  created.on('write', () => {
    if (unannounced === 0 || announcing) return;
    announcing = true;
    // Not from inside sonic-boom's write callback, which is still updating its buffer.
    setImmediate(announce);
  });
  destination = created;
  return created;
}

/** Log lines dropped so far by this process (`logs_dropped_total`). */
export function droppedLogLines(): number {
  return dropped;
}

function announce(): void {
  announcing = false;
  const lines = unannounced;
  unannounced = 0;
  // If this line does not fit either, it is counted and the next write announces both.
  PinoLogger.root.warn(
    { droppedLines: lines, droppedTotal: dropped },
    `the log destination stalled: ${lines} log lines were dropped`,
  );
}
