/**
 * The URL without its secrets, for logs: the password, and a user name that
 * stands alone (nats://TOKEN@host carries a token there).
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "redacted";
    else if (u.username) u.username = "redacted";
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}
