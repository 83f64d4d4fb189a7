// QEMU ends every message with CRLF; a TCP or unix stream may split or join them anywhere.

export type FramerIssue = { kind: 'oversize'; bytes: number; tail: string };

/**
 * Splits a byte stream into lines (without the trailing CR/LF). A line longer than `maxLineBytes`
 * is not buffered: its bytes are counted and dropped up to the next newline, and `onIssue` reports it
 * with the line's last few bytes (enough to find a trailing `"id"`).
 */
export class LineFramer {
  private parts: Buffer[] = [];
  private buffered = 0;
  private discarding = 0;
  private tail = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onIssue: (issue: FramerIssue) => void,
    private readonly maxLineBytes = 16 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (this.discarding > 0) {
        this.discarding += piece.length;
        this.tail = (this.tail + piece.toString('latin1')).slice(-64);
      } else if (this.buffered + piece.length > this.maxLineBytes) {
        this.discarding = this.buffered + piece.length;
        this.tail = Buffer.concat([...this.parts, piece])
          .subarray(-64)
          .toString('latin1');
        this.parts = [];
        this.buffered = 0;
      } else if (piece.length > 0) {
        this.parts.push(piece);
        this.buffered += piece.length;
      }
      if (nl === -1) return;
      this.endLine();
      start = nl + 1;
    }
  }

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private endLine(): void {
    if (this.discarding > 0) {
      const cr = this.tail.endsWith('\r') ? 1 : 0;
      this.onIssue({
        kind: 'oversize',
        bytes: this.discarding - cr,
        tail: this.tail.slice(0, this.tail.length - cr),
      });
      this.discarding = 0;
      this.tail = '';
      return;
    }
    const whole = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    let text = whole.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim().length > 0) this.onLine(text);
  }
}
