import { RedisServer } from './redis-server';

/** One real redis-server for the whole e2e run; its URL reaches every worker through the env. */
export default async function globalSetup(): Promise<void> {
  const redis = await RedisServer.start();
  process.env.KBFF_TEST_REDIS_URL = redis.url;
  (globalThis as { __kbffRedis?: RedisServer }).__kbffRedis = redis;
}
