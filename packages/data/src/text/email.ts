/**
 * The body of an RFC 822 message: everything after the first blank line (the headers end there),
 * with CRLF line ends turned into LF. A message without a blank line is all headers: its body is ''.
 */
export function stripHeaders(message: string): string {
  const end = /\r?\n\r?\n/.exec(message);
  if (!end) return '';
  return message.slice(end.index + end[0].length).replace(/\r\n?/g, '\n');
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntity(match: string, body: string): string {
  if (body.startsWith('#')) {
    const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10_ffff ? String.fromCodePoint(code) : ' ';
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? match;
}

/**
 * Text of an HTML (or mixed) body: comments, <script> and <style> blocks dropped, every other tag
 * replaced by a space, the common entities (&nbsp; &amp; &lt; &gt; &quot; &apos; and numeric ones)
 * decoded. A regex pass, not a parser: good enough for features of spam, and in plain text it also
 * removes anything between < and > (such as <user@example.com>).
 */
export function stripHtml(body: string): string {
  return body
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<\/?[a-z!][^>]*>/gi, ' ')
    .replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,6});/gi, decodeEntity);
}
