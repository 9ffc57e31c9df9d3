/**
 * What the receiver's worker hands the host's notification relay (its NOTIFY binding), written
 * once for both sides: a rendered mail for POST /mail, a chat message for POST /chat. Types
 * only: the long-running host loads nothing for it.
 */

/** POST /mail: submitted as it is (the relay adds `Auto-Submitted`). */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** `<local@domain>`, as the header carries it. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
}

/** POST /chat: posted as `{"text": …}` to the configured webhook. */
export interface ChatMessage {
  text: string;
}
