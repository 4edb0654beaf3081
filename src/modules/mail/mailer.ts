import nodemailer from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { claimDueMail, mailFailed, mailSent, type OutboxRow } from './mail.data';

/** What the Mailer needs of a nodemailer transporter (tests hand in one that fails on purpose). */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
  close?(): void;
}

/** A mail the logging transport "sent" (no SMTP_URL): development and tests read these. */
export interface SentMail {
  to: string;
  subject: string;
  text: string;
  /** The first link in the text (an invitation's accept link). */
  link: string | null;
  at: Date;
}

export interface MailerOptions {
  smtpUrl?: string;
  from: string;
  /** Replaces the SMTP or logging transport. */
  transport?: MailTransport;
  /** How often the outbox is polled besides the kick after each commit. */
  pollMs?: number;
  batchSize?: number;
  /** First retry delay; it doubles per attempt up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** After this many attempts the mail stays unsent, with its last error, for an operator to look at. */
  maxAttempts?: number;
  /** A claimed mail is not claimed again for this long (an instance that dies mid-send). */
  leaseMs?: number;
}

const KEEP_SENT = 1000;

/**
 * Sends the outbox (outbox_mail) after commit: kicked by the service that wrote the mail and
 * polled besides, so mail written by another instance, or whose send failed, goes out too.
 * Rows are claimed with FOR UPDATE SKIP LOCKED and a lease, so several instances never send
 * one mail twice at once. A failure is logged and retried with exponential back-off; it never
 * touches the change that caused the mail.
 *
 * SMTP when SMTP_URL is set; otherwise a transport that logs each message (with its link) and
 * keeps the last ones in `sent`.
 */
export class Mailer {
  /** Mail handed to the logging transport, oldest first (only without SMTP_URL). */
  readonly sent: SentMail[] = [];
  private readonly transport: MailTransport;
  private readonly logging: boolean;
  private readonly opts: Required<Omit<MailerOptions, 'smtpUrl' | 'transport'>>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    options: MailerOptions,
  ) {
    this.opts = {
      from: options.from,
      pollMs: options.pollMs ?? 15_000,
      batchSize: options.batchSize ?? 20,
      retryBaseMs: options.retryBaseMs ?? 30_000,
      retryMaxMs: options.retryMaxMs ?? 3_600_000,
      maxAttempts: options.maxAttempts ?? 12,
      leaseMs: options.leaseMs ?? 300_000,
    };
    this.logging = !options.transport && !options.smtpUrl;
    this.transport =
      options.transport ??
      (options.smtpUrl
        ? nodemailer.createTransport(
            new SMTPTransport({ url: options.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }),
          )
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops polling and waits for a send in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    this.transport.close?.();
  }

  /** Sends what is due soon, without waiting (after a commit that wrote mail). */
  kick(): void {
    if (!this.stopped) void this.run();
  }

  /** Sends everything due now and resolves when done (tests, the CLI). */
  flush(): Promise<void> {
    return this.run();
  }

  private run(): Promise<void> {
    if (this.running) {
      this.again = true; // mail may have been written after the running pass claimed its batch
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.sendBatch()) === this.opts.batchSize);
        } while (this.again);
      } catch (error) {
        this.log.error({ err: error }, 'mail outbox: could not read the outbox');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Claims up to one batch of due mail and sends it; answers how many were claimed. */
  private async sendBatch(): Promise<number> {
    const rows = await claimDueMail(this.db, this.opts.batchSize, this.opts.leaseMs, this.opts.maxAttempts);
    for (const row of rows) await this.send(row);
    return rows.length;
  }

  private async send(row: OutboxRow): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.opts.from, to: row.to, subject: row.subject, text: row.body });
    } catch (error) {
      const last = row.attempts >= this.opts.maxAttempts;
      const delay = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (row.attempts - 1)) * (0.75 + Math.random() * 0.25);
      const message = error instanceof Error ? error.message : String(error);
      await mailFailed(this.db, row.id, message.slice(0, 1000), delay);
      const fields = { err: error, mailId: row.id, to: row.to, attempts: row.attempts };
      if (last) this.log.error(fields, 'mail: giving up after the last attempt');
      else this.log.warn({ ...fields, retryInMs: Math.round(delay) }, 'mail: sending failed, will retry');
      return;
    }
    await mailSent(this.db, row.id);
    if (this.logging) {
      const link = /https?:\/\/\S+/.exec(row.body)?.[0] ?? null;
      this.sent.push({ to: row.to, subject: row.subject, text: row.body, link, at: new Date() });
      if (this.sent.length > KEEP_SENT) this.sent.splice(0, this.sent.length - KEEP_SENT);
      this.log.info({ mailId: row.id, to: row.to, subject: row.subject, link, text: row.body }, 'mail (no SMTP_URL: logged, not sent)');
    } else {
      this.log.info({ mailId: row.id, to: row.to, subject: row.subject }, 'mail sent');
    }
  }
}
