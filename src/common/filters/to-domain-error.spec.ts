import {
  BadRequestException,
  HttpException,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import { toDomainError } from './to-domain-error';

/** An error shaped like the ones Fastify raises (an Error with `code` and `statusCode`). */
function fastifyError(code: string, statusCode: number): Error {
  return Object.assign(new Error(`fastify says ${code}`), { code, statusCode });
}

describe('toDomainError', () => {
  it('returns a DomainError unchanged', () => {
    // Arrange
    const error = new DomainError(ErrorCode.WalletUserNotFound, { upstreamCode: '001_006' });

    // Act
    const mapped = toDomainError(error);

    // Assert
    expect(mapped).toBe(error);
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, ErrorCode.PayloadTooLarge],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, ErrorCode.UnsupportedMediaType],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, ErrorCode.MalformedBody],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, ErrorCode.MalformedBody],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, ErrorCode.MalformedBody],
  ])('maps Fastify %s to its code', (code, status, expected) => {
    // Act
    const mapped = toDomainError(fastifyError(code, status));

    // Assert
    expect(mapped?.code).toBe(expected);
  });

  it('maps by Fastify code before status: a body-too-large error is not a generic 400', () => {
    // Arrange: the code decides even if the status disagrees.
    const error = fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 400);

    // Act
    const mapped = toDomainError(error);

    // Assert
    expect(mapped?.code).toBe(ErrorCode.PayloadTooLarge);
  });

  it('maps a JSON SyntaxError from the body parser to MALFORMED_BODY', () => {
    // Arrange
    let syntaxError: unknown;
    try {
      JSON.parse('{"a":');
    } catch (error) {
      syntaxError = error;
    }

    // Act
    const mapped = toDomainError(syntaxError);

    // Assert
    expect(syntaxError).toBeInstanceOf(SyntaxError);
    expect(mapped?.code).toBe(ErrorCode.MalformedBody);
  });

  it.each([
    ['NotFoundException', new NotFoundException(), ErrorCode.NotFound],
    ['MethodNotAllowedException', new MethodNotAllowedException(), ErrorCode.MethodNotAllowed],
    ['PayloadTooLargeException', new PayloadTooLargeException(), ErrorCode.PayloadTooLarge],
    [
      'UnsupportedMediaTypeException',
      new UnsupportedMediaTypeException(),
      ErrorCode.UnsupportedMediaType,
    ],
    ['BadRequestException', new BadRequestException(), ErrorCode.MalformedBody],
  ])('maps Nest %s by its status', (_, exception, expected) => {
    // Act
    const mapped = toDomainError(exception);

    // Assert
    expect(mapped?.code).toBe(expected);
  });

  it('maps a plain object with statusCode 404 (Fastify route not found) to NOT_FOUND', () => {
    // Act
    const mapped = toDomainError({ statusCode: 404, message: 'Route not found' });

    // Assert
    expect(mapped?.code).toBe(ErrorCode.NotFound);
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a TypeError', new TypeError('x is undefined')],
    ['an error with an unknown code', Object.assign(new Error('reset'), { code: 'ECONNRESET' })],
    ['an HttpException with status 500', new HttpException('internal', 500)],
    ['an HttpException with status 418', new HttpException('teapot', 418)],
    ['an object with a string statusCode', { statusCode: '404' }],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
  ])('returns undefined for %s (it becomes INTERNAL)', (_, error) => {
    // Act
    const mapped = toDomainError(error);

    // Assert
    expect(mapped).toBeUndefined();
  });
});
