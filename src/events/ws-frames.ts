import type WebSocket from 'ws';

/** The stream under a ws WebSocket (ws keeps it as `_socket`): what frames are written to, and corked. */
export type FrameStream = { cork(): void; uncork(): void; write(chunk: Buffer): boolean };

/**
 * Where the job feed may write whole frames itself: the socket's stream, while no extension was
 * negotiated (the service leaves permessage-deflate off). ws then never holds a message back in
 * its sender, so a frame written here keeps its place among what ws sends. Null otherwise: send
 * through ws. Extensions are settled by the handshake, so this is asked once per subscription.
 */
export function frameStreamOf(socket: WebSocket): FrameStream | null {
  const stream = streamOf(socket);
  return stream && socket.extensions === '' ? stream : null;
}

export function streamOf(socket: WebSocket): FrameStream | undefined {
  return (socket as unknown as { _socket?: FrameStream })._socket;
}

/**
 * Writes one text message of two parts (a subscriber's own operation id, then an event's payload
 * shared by every subscriber) as one unmasked frame (RFC 6455, 5.2), without copying them into
 * one buffer: ws's send takes one buffer, and at thousands of subscribers a fresh copy of the
 * payload per subscriber costs a fifth of the write itself. Corked: the frame leaves in one write.
 */
export function writeTextFrame(stream: FrameStream, head: Buffer, tail: Buffer): void {
  stream.cork();
  stream.write(frameHeader(head.length + tail.length));
  stream.write(head);
  stream.write(tail);
  stream.uncork();
}

/** FIN + opcode 1: a whole text message in one frame. */
const FIN_TEXT = 0x81;
/** Headers by length: never changed once made, so every write of that length shares one. */
const headers = new Map<number, Buffer>();

function frameHeader(length: number): Buffer {
  let header = headers.get(length);
  if (header) return header;
  if (length < 126) header = Buffer.from([FIN_TEXT, length]);
  else if (length < 65536) header = Buffer.from([FIN_TEXT, 126, length >> 8, length & 0xff]);
  else {
    header = Buffer.alloc(10);
    header[0] = FIN_TEXT;
    header[1] = 127;
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
  }
  if (headers.size >= 256) headers.clear();
  headers.set(length, header);
  return header;
}
