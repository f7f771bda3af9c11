import { createHmac } from 'node:crypto';

/**
 * `X-KM-Tran-Token` = "KMV1:" + time17 + ":" + base64(HMAC-SHA256(secretKey, body)).
 * Standard base64 with padding makes it 67 characters; the guide's header table says 66 but its
 * own sample is 67, so the length is not enforced (see konaplate.md).
 */
export function tranToken(secretKey: string, time17: string, body: string): string {
  const mac = createHmac('sha256', Buffer.from(secretKey, 'utf8'))
    .update(Buffer.from(body, 'utf8'))
    .digest('base64');
  return `KMV1:${time17}:${mac}`;
}
