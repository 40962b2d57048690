// A lean HTTP/1.1 client for the GET-heavy workloads (blob pulls, manifest rates, the surge).
// Client and server share two cores, so every cycle the client spends is taken from the server
// under test: node:http costs several times more CPU per request and per byte than this.
// One keep-alive connection, one request at a time; responses are parsed just enough to find
// their end, and bodies land in one reused buffer where they are counted, not kept.
import net from 'node:net';

export interface WireRequest {
  method?: 'GET' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  /** Keep a copy of the body (small bodies only). */
  keepBody?: boolean;
  /** Sees each piece of the body; the piece is only valid during the call. */
  onBody?: (piece: Buffer) => void;
}

export interface WireResponse {
  status: number;
  /** Header names in lower case. */
  headers: Map<string, string>;
  bytes: number;
  body?: Buffer;
  /** From writing the request to the first byte of the response. */
  ttfbMs: number;
  totalMs: number;
}

const headerEnd = Buffer.from('\r\n\r\n');
const maxHeaderBytes = 64 * 1024;

/** How the body of the response being read ends. */
type Framing =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; remaining: number; pendingLine: string; done: boolean }
  | { kind: 'close' };

interface Exchange {
  request: WireRequest;
  started: bigint;
  firstByte?: bigint;
  head: Buffer;
  response?: WireResponse;
  framing?: Framing;
  kept: Buffer[];
  resolve: (response: WireResponse) => void;
  reject: (err: Error) => void;
}

export class WireConnection {
  private socket?: net.Socket;
  private exchange?: Exchange;
  private readonly readBuffer: Buffer;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readBufferSize = 256 * 1024,
  ) {
    this.readBuffer = Buffer.allocUnsafe(readBufferSize);
  }

  static forBase(base: string, readBufferSize?: number): WireConnection {
    const url = new URL(base);
    return new WireConnection(url.hostname, Number(url.port), readBufferSize);
  }

  async request(request: WireRequest): Promise<WireResponse> {
    if (this.exchange) throw new Error('one request at a time per connection');
    const socket = this.socket && !this.socket.destroyed ? this.socket : await this.connect();

    const lines = [`${request.method ?? 'GET'} ${request.path} HTTP/1.1`, `Host: ${this.host}`];
    for (const [name, value] of Object.entries(request.headers ?? {}))
      lines.push(`${name}: ${value}`);
    const text = `${lines.join('\r\n')}\r\n\r\n`;

    return new Promise((resolve, reject) => {
      this.exchange = {
        request,
        started: process.hrtime.bigint(),
        head: Buffer.alloc(0),
        kept: [],
        resolve,
        reject,
      };
      socket.write(text, 'latin1');
    });
  }

  /** Like `request`, but throws unless the status is `status`. */
  async expect(status: number, request: WireRequest): Promise<WireResponse> {
    const response = await this.request(request);
    if (response.status !== status) {
      const detail = response.body?.toString('utf8').slice(0, 200) ?? '';
      throw new Error(
        `${request.method ?? 'GET'} ${request.path}: expected ${status}, got ${response.status} ${detail}`,
      );
    }

    return response;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: this.host,
        port: this.port,
        noDelay: true,
        onread: {
          buffer: this.readBuffer,
          callback: (length: number, buffer: Uint8Array) => {
            this.received(buffer as Buffer, length);
            return true;
          },
        },
      });
      socket.once('connect', () => {
        this.socket = socket;
        resolve(socket);
      });
      socket.on('error', (err) => {
        reject(err);
        this.fail(err);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        const exchange = this.exchange;
        if (exchange?.framing?.kind === 'close') this.finish();
        else this.fail(new Error('connection closed before the response ended'));
      });
    });
  }

  private received(buffer: Buffer, length: number): void {
    const exchange = this.exchange;
    if (!exchange) return;
    exchange.firstByte ??= process.hrtime.bigint();

    let offset = 0;
    if (!exchange.response) {
      offset = this.readHead(exchange, buffer.subarray(0, length));
      if (offset < 0) return;
    }
    this.readBody(exchange, buffer.subarray(offset, length));
  }

  /** Parses the status line and headers; returns where the body starts, or -1 for "need more". */
  private readHead(exchange: Exchange, data: Buffer): number {
    const window = data.subarray(0, maxHeaderBytes);
    const head = exchange.head.length > 0 ? Buffer.concat([exchange.head, window]) : window;
    const end = head.indexOf(headerEnd);
    if (end < 0) {
      if (head.length >= maxHeaderBytes) this.fail(new Error('response headers are too large'));
      else exchange.head = Buffer.from(head);
      return -1;
    }

    const [statusLine = '', ...fields] = head.toString('latin1', 0, end).split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const headers = new Map<string, string>();
    for (const field of fields) {
      const colon = field.indexOf(':');
      if (colon > 0)
        headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim());
    }
    exchange.response = { status, headers, bytes: 0, ttfbMs: 0, totalMs: 0 };
    exchange.framing = framingOf(exchange.request, status, headers);

    return end + headerEnd.length - exchange.head.length;
  }

  private readBody(exchange: Exchange, data: Buffer): void {
    const framing = exchange.framing!;
    if (framing.kind === 'chunked') {
      this.readChunked(exchange, framing, data);
    } else if (framing.kind === 'length') {
      const piece = data.subarray(0, framing.remaining);
      framing.remaining -= piece.length;
      this.deliver(exchange, piece);
      if (framing.remaining === 0) this.finish();
    } else {
      this.deliver(exchange, data);
    }
  }

  /** Transfer-Encoding: chunked. Size lines are short, so they are read as text. */
  private readChunked(
    exchange: Exchange,
    framing: Extract<Framing, { kind: 'chunked' }>,
    data: Buffer,
  ): void {
    let offset = 0;
    while (offset < data.length) {
      if (framing.remaining > 0) {
        const piece = data.subarray(offset, offset + framing.remaining);
        framing.remaining -= piece.length;
        offset += piece.length;
        this.deliver(exchange, piece);
        continue;
      }

      const newline = data.indexOf(10, offset);
      if (newline < 0) {
        framing.pendingLine += data.toString('latin1', offset);
        return;
      }
      const line = (framing.pendingLine + data.toString('latin1', offset, newline)).trim();
      framing.pendingLine = '';
      offset = newline + 1;

      if (framing.done) {
        if (line === '') return this.finish();
      } else if (line !== '') {
        const size = parseInt(line.split(';')[0]!, 16);
        if (size === 0) framing.done = true;
        // The CRLF after the chunk's data reads as an empty line next.
        else framing.remaining = size;
      }
    }
  }

  private deliver(exchange: Exchange, piece: Buffer): void {
    if (piece.length === 0) return;

    exchange.response!.bytes += piece.length;
    exchange.request.onBody?.(piece);
    if (exchange.request.keepBody) exchange.kept.push(Buffer.from(piece));
  }

  private finish(): void {
    const exchange = this.exchange;
    if (!exchange?.response) return;
    this.exchange = undefined;

    const done = process.hrtime.bigint();
    const response = exchange.response;
    response.ttfbMs = Number((exchange.firstByte ?? done) - exchange.started) / 1e6;
    response.totalMs = Number(done - exchange.started) / 1e6;
    if (exchange.request.keepBody) response.body = Buffer.concat(exchange.kept);
    if (response.headers.get('connection')?.toLowerCase() === 'close') this.close();
    exchange.resolve(response);
  }

  private fail(err: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.close();
    exchange?.reject(err);
  }
}

function framingOf(request: WireRequest, status: number, headers: Map<string, string>): Framing {
  if (request.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
    return { kind: 'length', remaining: 0 };
  }
  if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
    return { kind: 'chunked', remaining: 0, pendingLine: '', done: false };
  }
  const length = headers.get('content-length');

  return length === undefined ? { kind: 'close' } : { kind: 'length', remaining: Number(length) };
}
