import { CARD_LIMIT_UPDATE } from './card-limit.operation';
import { CARD_LIST } from './card-list.operation';
import { CARD_STATUS_UPDATE } from './card-status.operation';
import type { KonaOperation } from './kona-operation';
import { NAMED_CARD } from './named-card.operation';

/**
 * Every KONA operation the gateway wraps: the catalogue the OpenAPI error tables, the sandbox's
 * routing, the soak and the hostile-input suite read instead of retyping routes.
 */
export const KONA_OPERATIONS: readonly KonaOperation<never, unknown>[] = [
  NAMED_CARD,
  CARD_LIMIT_UPDATE,
  CARD_LIST,
  CARD_STATUS_UPDATE,
];
