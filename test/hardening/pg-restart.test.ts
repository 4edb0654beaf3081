import 'reflect-metadata';
import pino from 'pino';
import { startService, type RunningService } from '../../src/bootstrap';
import { TEST_SECRET, testConfig } from '../support/harness';
import { postgresBin, startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { runRestartLoad } from './restart-load';

/**
 * PostgreSQL restarts under load: the service keeps answering (errors while the database is
 * away, /readyz 503), recovers by itself, and loses no acknowledged write. Runs on a private
 * cluster (never the shared server). PG_RESTART_LOAD_SECONDS=60 makes it the 60-second run
 * whose numbers go in the report.
 */
const seconds = Number(process.env.PG_RESTART_LOAD_SECONDS ?? 12);
const available = postgresBin() !== undefined;
if (!available) console.warn('PostgreSQL binaries not found: the restart test is skipped');

(available ? describe : describe.skip)('a PostgreSQL restart under load', () => {
  let postgres: PrivatePostgres;
  let service: RunningService;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    const config = testConfig({
      DATABASE_URL: postgres.url,
      RATE_LIMIT_POINTS: '0',
      DB_CONNECT_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '10000',
    });
    service = await startService(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await postgres?.destroy();
  }, 60_000);

  it(
    `keeps serving, tells the truth on /readyz and recovers by itself (${seconds} s of load)`,
    async () => {
      const durationMs = seconds * 1000;
      const { report } = await runRestartLoad({
        baseUrl: `http://127.0.0.1:${service.port}`,
        secret: TEST_SECRET,
        postgres,
        durationMs,
        stopAtMs: Math.round(durationMs * 0.4),
        downMs: Math.max(2_000, Math.round(durationMs * 0.1)),
      });
      console.log(`PostgreSQL restart under ${seconds} s of load:\n${JSON.stringify(report, null, 2)}`);

      expect(report.before.failed).toBe(0);
      expect(report.before.ok).toBeGreaterThan(10);
      expect(report.down.failed).toBeGreaterThan(0); // it was really down, and said so
      expect(report.errorCodes).not.toHaveProperty(['transport: TypeError']); // always an answer, never a dropped connection
      expect(report.after.ok).toBeGreaterThan(10);
      expect(report.failedAfterRecovery).toBe(0);
      expect(report.recoveryMs).toBeLessThan(5_000);
      expect(report.readyz.whileUp).toEqual([200]);
      expect(report.readyz.whileDown).toEqual([503]);
      expect(report.readyz.afterRestart).toEqual([200]);
      expect(report.writes.acknowledged).toBeGreaterThan(0);
      expect(report.writes.lost).toBe(0);
      expect(report.slowestMs).toBeLessThan(10_000);
      for (const code of Object.keys(report.errorCodes)) expect(code).toBe('INTERNAL_SERVER_ERROR');
    },
    (seconds + 60) * 1000,
  );
});
