import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.ts';
import { cliIo } from '../cli/io.ts';

export interface Mail {
  to: string;
  subject: string;
  /** Plain text. Carries links, never survivors' details or other sensitive content (DESIGN.md, privacy). */
  text: string;
  /** Extra header fields, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on a mailing. */
  headers?: Record<string, string>;
}

export interface SendResult {
  sent: boolean;
  skipped: boolean;
  messageId?: string;
}

export type MailLog = (line: string) => void;

// Standard output of the command-line run this mail is part of (platform/cli/io.ts), the process's outside one.
let defaultLog: MailLog = (line) => cliIo().out(line);

/** Where lines about mail go when the caller gives no log: a server sends them to its JSON log. */
export function setMailLog(log: MailLog): void {
  defaultLog = log;
}

// One transport per SMTP URL: nodemailer pools nothing by default, but creating it is not free.
const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

/**
 * Sends one message over SMTP (config.smtpUrl, e.g. smtp://user:pass@host:587). With no SMTP_URL configured the
 * message is not sent and a line says so, so a development machine needs no mail server.
 */
export async function send(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, mail: Mail, log: MailLog = (line) => defaultLog(line)): Promise<SendResult> {
  if (!config.smtpUrl) {
    // The subject only: addresses and bodies stay out of logs.
    log(`mail skipped (SMTP_URL is empty): "${mail.subject}"`);
    return { sent: false, skipped: true };
  }
  const info = await transportFor(config.smtpUrl).sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, ...(mail.headers ? { headers: mail.headers } : {}) });
  return { sent: true, skipped: false, messageId: info.messageId };
}

/** Closes cached SMTP connections (tests, shutdown). */
export function closeMail(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
