import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CardLimitsRequest } from '../../cards/dto/card-limits.dto';
import { CardStatusRequest } from '../../cards/dto/card-status.dto';
import { RealNameRegistrationRequest } from '../../wallet/dto/real-name-registration.dto';

/** The messages of `body` validated as `type`, by field (the pipe's settings that matter here). */
function messages(type: new () => object, body: object): Record<string, string[]> {
  const errors = validateSync(plainToInstance(type, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
}

const VALID = { perTransaction: 300000, daily: 1000000, monthly: 5000000 };

describe('the limits fields: presence, then type, then range; one message', () => {
  it.each([
    ['"x"', 'x', 'daily must be an integer number'],
    ['null', null, 'daily must be an integer number'],
    ['1.5', 1.5, 'daily must be an integer number'],
    ['true', true, 'daily must be an integer number'],
    ['the string "100"', '100', 'daily must be an integer number'],
    ['-1', -1, 'daily must not be less than 0'],
    ['10000000000', 10_000_000_000, 'daily must not be greater than 9999999999'],
  ])('answers %s with one message', (_, value, message) => {
    expect(messages(CardLimitsRequest, { ...VALID, daily: value })).toEqual({ daily: [message] });
  });

  it('answers a missing field with "is required"', () => {
    const body: Record<string, number> = { ...VALID };
    delete body.daily;

    expect(messages(CardLimitsRequest, body)).toEqual({ daily: ['daily is required'] });
  });

  it.each([0, 9_999_999_999])('accepts %s', (value) => {
    expect(messages(CardLimitsRequest, { ...VALID, daily: value })).toEqual({});
  });
});

describe('the other fields', () => {
  it.each([
    [{}, 'identityVerified is required'],
    [{ identityVerified: null }, 'identityVerified must be a boolean value'],
    [{ identityVerified: 'true' }, 'identityVerified must be a boolean value'],
  ])('registration %j: %s', (body, message) => {
    expect(messages(RealNameRegistrationRequest, body)).toEqual({ identityVerified: [message] });
  });

  it.each([
    [{}, 'status is required'],
    [{ status: 'SUSPEND' }, 'status must be one of: suspended, active'],
    [{ status: null }, 'status must be one of: suspended, active'],
  ])('status %j: %s', (body, message) => {
    expect(messages(CardStatusRequest, body)).toEqual({ status: [message] });
  });
});
