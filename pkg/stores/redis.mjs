// ESM entry of conveyor-client/redis: the very object redis.cjs exports, so an app that
// both imports and requires it gets one implementation.
import redis from "./redis.cjs";

export const { createRedisStore } = redis;
