/** The answer to send for an idempotent request, whether fresh or replayed. */
export interface IdempotentOutcome {
  status: number;
  /** Serialized JSON, stored and replayed byte for byte. */
  body: string;
  correlationId: string;
  replayed: boolean;
  headers: Record<string, string>;
}
