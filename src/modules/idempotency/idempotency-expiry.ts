import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { periodic, type Periodic } from '../../server/periodic';
import { deleteExpiredKeys } from './idempotency.data';

/** Deletes Idempotency-Key rows past their 24 hours, hourly on every instance (an expired row is free anyway: claimKey). */
export function expireIdempotencyKeys(db: DataSource, log: Logger, everyMs = 3_600_000): Periodic {
  return periodic('deleting expired idempotency keys', everyMs, log, () => deleteExpiredKeys(db));
}
