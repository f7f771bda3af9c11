import { ValidateBy } from 'class-validator';

/**
 * A field's checks in the order they apply: presence, then type, then range. Each returns the
 * problem as the end of a sentence about the field ("must be an integer number"), or undefined
 * when the value passes. Only the first problem is reported, so a field has one message, and it
 * names what is really wrong ("x" is not an integer; it is not "greater than 9999999999").
 */
export type FieldCheck = (value: unknown) => string | undefined;

/** Missing (the key is absent) comes before any other check; `null` is a value of the wrong type. */
const present: FieldCheck = (value) => (value === undefined ? 'is required' : undefined);

/** The first problem of `value` under `checks`, presence first. */
export function fieldProblem(value: unknown, checks: readonly FieldCheck[]): string | undefined {
  for (const check of [present, ...checks]) {
    const problem = check(value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** One class-validator constraint for the whole field: presence, then `checks` in order. */
export function Field(name: string, ...checks: FieldCheck[]): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value) => fieldProblem(value, checks) === undefined,
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} ${fieldProblem(args?.value, checks) ?? 'is invalid'}`,
    },
  });
}

export const isInteger: FieldCheck = (value) =>
  typeof value === 'number' && Number.isInteger(value) ? undefined : 'must be an integer number';

export const isBoolean: FieldCheck = (value) =>
  typeof value === 'boolean' ? undefined : 'must be a boolean value';

/** For numbers already known to be integers: `min` … `max`, inclusive. */
export const inRange =
  (min: number, max: number): FieldCheck =>
  (value) => {
    if ((value as number) < min) return `must not be less than ${min}`;
    if ((value as number) > max) return `must not be greater than ${max}`;
    return undefined;
  };

export const oneOf =
  (values: readonly string[]): FieldCheck =>
  (value) =>
    typeof value === 'string' && values.includes(value)
      ? undefined
      : `must be one of: ${values.join(', ')}`;

/** A whole amount in `min` … `max`: required, an integer, then in range. */
export const IsWholeAmount = (min: number, max: number): PropertyDecorator =>
  Field('isWholeAmount', isInteger, inRange(min, max));

/** A required boolean (no coercion: "true" and 1 are not booleans). */
export const IsRequiredBoolean = (): PropertyDecorator => Field('isRequiredBoolean', isBoolean);

/** A required string, one of `values`. */
export const IsOneOf = (values: readonly string[]): PropertyDecorator =>
  Field('isOneOf', oneOf(values));
