// A small SMTP server on 127.0.0.1 for the end-to-end tests: it accepts every
// message (several per connection, commands and lines split across TCP chunks)
// and keeps it in memory. `readMail` decodes one (headers, RFC 2047 words,
// multipart parts in 7bit, 8bit, quoted-printable or base64) and finds its link.
import { createServer } from 'node:net';

/**
 * Starts the server on a free loopback port. Resolves to
 * { port, url, messages, waitFor(n, timeoutMs), close() }; each message is
 * { from, to: [...], data, at } (`data` without dot-stuffing, `at` from Date.now()).
 */
export function startSmtp() {
  const messages = [];
  const waiters = new Set();
  const sockets = new Set();

  const settle = () => {
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.n) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(messages.slice());
      }
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    socket.setEncoding('utf8');

    let buffer = '';
    let inData = false;
    let lines = [];
    let envelope = { from: null, to: [] };
    const send = (text) => socket.write(text);

    const handle = (line) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          messages.push({ from: envelope.from, to: envelope.to, data: `${lines.join('\r\n')}\r\n`, at: Date.now() });
          envelope = { from: null, to: [] };
          lines = [];
          send('250 2.0.0 OK: queued\r\n');
          settle();
        } else {
          lines.push(line.startsWith('.') ? line.slice(1) : line);
        }
        return;
      }
      const verb = line.split(/[\s:]/, 1)[0].toUpperCase();
      switch (verb) {
        case 'EHLO':
          envelope = { from: null, to: [] };
          send('250-localhost\r\n250 8BITMIME\r\n');
          break;
        case 'HELO':
          envelope = { from: null, to: [] };
          send('250 localhost\r\n');
          break;
        case 'NOOP':
          send('250 2.0.0 OK\r\n');
          break;
        case 'RSET':
          envelope = { from: null, to: [] };
          send('250 2.0.0 OK\r\n');
          break;
        case 'MAIL': {
          const m = line.match(/^MAIL FROM:\s*<([^>]*)>/i);
          if (!m) return send('501 5.5.4 Syntax: MAIL FROM:<address>\r\n');
          envelope = { from: m[1], to: [] };
          send('250 2.1.0 OK\r\n');
          break;
        }
        case 'RCPT': {
          const m = line.match(/^RCPT TO:\s*<([^>]*)>/i);
          if (!m) return send('501 5.5.4 Syntax: RCPT TO:<address>\r\n');
          if (envelope.from === null) return send('503 5.5.1 MAIL first\r\n');
          envelope.to.push(m[1]);
          send('250 2.1.5 OK\r\n');
          break;
        }
        case 'DATA':
          if (envelope.to.length === 0) return send('503 5.5.1 RCPT first\r\n');
          inData = true;
          lines = [];
          send('354 End data with <CR><LF>.<CR><LF>\r\n');
          break;
        case 'QUIT':
          send('221 2.0.0 Bye\r\n');
          socket.end();
          break;
        default:
          send('502 5.5.2 Command not recognized\r\n');
      }
    };

    socket.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        handle(line);
      }
    });
    send('220 localhost ESMTP lookout-e2e\r\n');
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        url: `smtp://127.0.0.1:${port}`,
        messages,
        /** Resolves to the messages once there are at least `n`; rejects after `timeoutMs`. */
        waitFor(n, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            const waiter = { n, resolve: done, timer: null };
            waiter.timer = setTimeout(() => {
              waiters.delete(waiter);
              fail(new Error(`expected ${n} mail(s) within ${timeoutMs} ms, got ${messages.length}`));
            }, timeoutMs);
            waiters.add(waiter);
            settle();
          });
        },
        close() {
          for (const waiter of waiters) clearTimeout(waiter.timer);
          waiters.clear();
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

// ---- reading a message

function splitHead(raw) {
  const m = raw.match(/\r?\n\r?\n/);
  if (!m) return [raw, ''];
  return [raw.slice(0, m.index), raw.slice(m.index + m[0].length)];
}

/** Header names (lower case) to their unfolded, undecoded values. */
function parseHeaders(head) {
  const headers = {};
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeBytes(bytes, charset = 'utf-8') {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** Quoted-printable to bytes: soft line breaks joined, =XX decoded. */
function quotedPrintable(text) {
  const s = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i], 'utf8'));
    }
  }
  return Uint8Array.from(bytes);
}

/** Decodes RFC 2047 encoded words (=?charset?B|Q?…?=), joining adjacent ones. */
export function decodeWords(value) {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g, (_, charset, kind, text) => {
      const bytes =
        kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : quotedPrintable(text.replace(/_/g, ' '));
      return decodeBytes(bytes, charset);
    });
}

/** `type/subtype` and its parameters from a Content-Type value. */
function contentType(value = 'text/plain') {
  const [type, ...rest] = value.split(';');
  const params = {};
  for (const p of rest) {
    const m = p.trim().match(/^([^=\s]+)\s*=\s*(?:"([^"]*)"|(\S+))$/);
    if (m) params[m[1].toLowerCase()] = m[2] ?? m[3];
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The text leaves of a (possibly multipart) entity, decoded: [{ type, text }]. */
function leaves(raw) {
  const [head, body] = splitHead(raw);
  const headers = parseHeaders(head);
  const { type, params } = contentType(headers['content-type']?.[0]);
  if (type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const parts = [];
    let current = null;
    for (const line of body.split(/\r?\n/)) {
      if (line === `${delimiter}--`) break;
      if (line === delimiter) {
        if (current) parts.push(current.join('\r\n'));
        current = [];
      } else if (current) {
        current.push(line);
      }
    }
    if (current) parts.push(current.join('\r\n'));
    return parts.flatMap(leaves);
  }
  const encoding = (headers['content-transfer-encoding']?.[0] ?? '7bit').toLowerCase();
  let bytes;
  if (encoding === 'quoted-printable') bytes = quotedPrintable(body);
  else if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else bytes = Buffer.from(body, 'utf8');
  return [{ type, encoding, text: decodeBytes(bytes, params.charset ?? 'utf-8') }];
}

/** `Name <address>` (name quoted or encoded, or absent) to { name, address }. */
function mailbox(value = '') {
  const decoded = decodeWords(value).trim();
  const m = decoded.match(/^(.*?)\s*<([^>]+)>$/);
  if (!m) return { name: '', address: decoded };
  let name = m[1].trim();
  if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  return { name, address: m[2] };
}

/**
 * Decodes a message: { headers, subject, from: { name, address }, to: [address],
 * text, html, encodings, links (every distinct http(s) URL in the bodies),
 * link (the order link, if exactly one), linkPath (its path and query) }.
 */
export function readMail(message) {
  const [head] = splitHead(message.data);
  const headers = parseHeaders(head);
  const parts = leaves(message.data);
  const text = parts.filter((p) => p.type === 'text/plain').map((p) => p.text).join('\n');
  const html = parts.filter((p) => p.type === 'text/html').map((p) => p.text).join('\n');
  const links = [...new Set(`${text}\n${html}`.match(/https?:\/\/[^\s<>"']+/g) ?? [])];
  const orderLinks = links.filter((l) => /\/track\/[^/]+\/o\/[0-9a-f]{64}\b/.test(l));
  const link = orderLinks.length === 1 ? orderLinks[0] : null;
  return {
    headers,
    subject: decodeWords(headers.subject?.[0] ?? ''),
    rawSubject: headers.subject?.[0] ?? '',
    from: mailbox(headers.from?.[0]),
    to: (headers.to?.[0] ?? '').split(',').map((a) => mailbox(a).address),
    text,
    html,
    encodings: parts.map((p) => `${p.type} ${p.encoding}`),
    links,
    link,
    linkPath: link ? new URL(link).pathname + new URL(link).search : null,
  };
}
