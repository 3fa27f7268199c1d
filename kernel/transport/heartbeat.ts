/**
 * Heartbeat: a REP socket that echoes every message unchanged. It runs in the socket worker
 * with its own zeromq socket, so it keeps answering while a cell blocks the main event loop
 * (a frontend would otherwise declare a busy kernel dead).
 */
import { Reply } from 'zeromq';

export async function serveHeartbeat(url: string): Promise<Reply> {
  const socket = new Reply({ linger: 0 });
  await socket.bind(url);
  void (async () => {
    for await (const frames of socket) await socket.send(frames);
  })().catch(() => {
    // The loop ends with an error only when the socket is closed at shutdown.
  });
  return socket;
}
