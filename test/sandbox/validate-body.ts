import { isLosslessNumber, parse } from 'lossless-json';
import type { KonaEndpoint } from './kona-endpoints';

/** Largest member id KONA documents (above signed 64-bit, hence BigInt). */
export const MAX_USER_ID = 9999999999999999999n;
/** Largest amount KONA documents for each payment limit, in KRW. */
export const MAX_LIMIT = 9999999999n;

/** A valid namedcard body; ids and amounts are kept as their exact decimal digits. */
export interface NamedcardRequest {
  endpoint: 'namedcard';
  userId: string;
  isCheckNamedYn: 'Y' | 'N';
}

/** A valid limit-update body; ids and amounts are kept as their exact decimal digits. */
export interface LimitUpdateRequest {
  endpoint: 'card-limit-update';
  userId: string;
  par: string;
  limits: { once: string; day: string; month: string };
}

/** A valid card-list (Search for Card) body: `par` or `physicalCardNo` restrict it to one card. */
export interface CardListRequest {
  endpoint: 'card-list';
  userId: string;
  par?: string;
  physicalCardNo?: string;
}

/** A valid card-status (Modification of the Card's State) body. */
export interface CardStatusRequest {
  endpoint: 'card-status';
  userId: string;
  par: string;
  status: 'SUSPEND' | 'RESUME';
}

/** A request body that passed validation. */
export type KonaRequest =
  NamedcardRequest | LimitUpdateRequest | CardListRequest | CardStatusRequest;

/** Outcome of {@link validateBody}: the typed request, or the exact reason it was refused. */
export type BodyCheck = { ok: true; request: KonaRequest } | { ok: false; reason: string };

type JsonObject = Record<string, unknown>;

const DIGITS = /^(0|[1-9][0-9]*)$/;
const PAR = /^[A-Za-z0-9]{27}$/;
const PHYSICAL_CARD_NO = /^[0-9]{16}$/;

/**
 * Validates a KONA request body as strictly as the documentation allows: numbers must be JSON number
 * tokens with plain integer digits (a quoted id is refused, as a typed upstream would), every field is
 * required unless KONA marks it optional (an optional field, when present, must be valid: `null` is
 * refused too) and no other field is accepted. Parsing is lossless, so a 19-digit id is judged on its
 * real digits and not on what a double made of them.
 */
export function validateBody(endpoint: KonaEndpoint, text: string): BodyCheck {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    return { ok: false, reason: `body is not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(parsed)) return { ok: false, reason: 'body must be a JSON object' };
  try {
    return { ok: true, request: VALIDATORS[endpoint](parsed) };
  } catch (error) {
    if (error instanceof BodyError) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * The exact digits of `userId` when the body carries it as a JSON number token, else null. Used to
 * file calls in the call log even when they are refused.
 */
export function peekUserId(text: string): string | null {
  try {
    const parsed = parse(text);
    if (isObject(parsed) && Object.hasOwn(parsed, 'userId') && isLosslessNumber(parsed.userId)) {
      return parsed.userId.value;
    }
  } catch {
    // Not JSON: the call is filed without an id.
  }
  return null;
}

class BodyError extends Error {}

const VALIDATORS: Readonly<Record<KonaEndpoint, (body: JsonObject) => KonaRequest>> = {
  namedcard,
  'card-limit-update': limitUpdate,
  'card-list': cardList,
  'card-status': cardStatus,
};

function namedcard(body: JsonObject): NamedcardRequest {
  onlyKeys(body, 'body', ['userId', 'isCheckNamedYn']);
  const flag = body.isCheckNamedYn;
  if (flag !== 'Y' && flag !== 'N') {
    throw new BodyError(`body.isCheckNamedYn must be the string "Y" or "N", got ${describe(flag)}`);
  }
  return { endpoint: 'namedcard', userId: userId(body.userId), isCheckNamedYn: flag };
}

function limitUpdate(body: JsonObject): LimitUpdateRequest {
  onlyKeys(body, 'body', ['userId', 'par', 'limits']);
  const id = userId(body.userId);
  const par = parOf(body.par);
  const limits = body.limits;
  if (!isObject(limits))
    throw new BodyError(`body.limits must be an object, got ${describe(limits)}`);
  onlyKeys(limits, 'body.limits', ['once', 'day', 'month']);
  return {
    endpoint: 'card-limit-update',
    userId: id,
    par,
    limits: {
      once: amount(limits.once, 'once'),
      day: amount(limits.day, 'day'),
      month: amount(limits.month, 'month'),
    },
  };
}

function cardList(body: JsonObject): CardListRequest {
  onlyKeys(body, 'body', ['userId'], ['par', 'physicalCardNo']);
  const request: CardListRequest = { endpoint: 'card-list', userId: userId(body.userId) };
  if (Object.hasOwn(body, 'par')) request.par = parOf(body.par);
  if (Object.hasOwn(body, 'physicalCardNo')) {
    const number = body.physicalCardNo;
    if (typeof number !== 'string' || !PHYSICAL_CARD_NO.test(number)) {
      throw new BodyError(
        // A card number: say what is wrong with it without printing it.
        `body.physicalCardNo must be a string of exactly 16 digits, got ${
          typeof number === 'string' ? `a string of ${number.length} characters` : describe(number)
        }`,
      );
    }
    request.physicalCardNo = number;
  }
  return request;
}

function cardStatus(body: JsonObject): CardStatusRequest {
  onlyKeys(body, 'body', ['userId', 'par', 'status']);
  const id = userId(body.userId);
  const par = parOf(body.par);
  const status = body.status;
  if (status !== 'SUSPEND' && status !== 'RESUME') {
    throw new BodyError(
      `body.status must be the string "SUSPEND" or "RESUME", got ${describe(status)}`,
    );
  }
  return { endpoint: 'card-status', userId: id, par, status };
}

function parOf(par: unknown): string {
  if (typeof par !== 'string' || !PAR.test(par)) {
    throw new BodyError(
      // A PAR stands in for a card number: say what is wrong with it without printing it.
      `body.par must be a string of exactly 27 letters or digits, got ${
        typeof par === 'string' ? `a string of ${par.length} characters` : describe(par)
      }`,
    );
  }
  return par;
}

function userId(value: unknown): string {
  const digits = integerDigits(value, 'body.userId');
  const id = BigInt(digits);
  if (id < 1n || id > MAX_USER_ID) {
    throw new BodyError(`body.userId must be between 1 and ${MAX_USER_ID}, got ${digits}`);
  }
  return digits;
}

function amount(value: unknown, name: string): string {
  const digits = integerDigits(value, `body.limits.${name}`);
  if (BigInt(digits) > MAX_LIMIT) {
    throw new BodyError(`body.limits.${name} must be between 0 and ${MAX_LIMIT}, got ${digits}`);
  }
  return digits;
}

function integerDigits(value: unknown, name: string): string {
  if (!isLosslessNumber(value)) {
    throw new BodyError(`${name} must be a JSON number, got ${describe(value)}`);
  }
  if (!DIGITS.test(value.value)) {
    throw new BodyError(
      `${name} must be written as plain integer digits (no sign, fraction or exponent), got ${value.value}`,
    );
  }
  return value.value;
}

function onlyKeys(
  object: JsonObject,
  name: string,
  expected: readonly string[],
  optional: readonly string[] = [],
): void {
  const unknown = Object.keys(object).filter(
    (key) => !expected.includes(key) && !optional.includes(key),
  );
  if (unknown.length > 0)
    throw new BodyError(`${name} has unknown field(s): ${unknown.join(', ')}`);
  const missing = expected.filter((key) => !Object.hasOwn(object, key));
  if (missing.length > 0) throw new BodyError(`${name} is missing field(s): ${missing.join(', ')}`);
}

function isObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (isLosslessNumber(value)) return `the number ${value.value}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  }
  return `a ${typeof value}`;
}
