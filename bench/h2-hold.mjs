// Answers asked for and never read, over HTTP/2: CONNECTIONS connections to BASE,
// each asking STREAMS times for PATH with brotli accepted, under a flow-control
// window of WINDOW bytes per stream that the client never opens further (it
// reads nothing), so that each answer stays with the server. Prints the answers'
// statuses once every stream has its headers (or after 10 s), then holds the
// connections until it is killed (or the server closes them).
// With HOLD_BODY set, each request is a POST of that JSON body instead.
//
// Usage: [HOLD_BODY=JSON] node bench/h2-hold.mjs BASE [CONNECTIONS=10] [STREAMS=100] [WINDOW=0] [PATH=/track/demo]
import http2 from "node:http2";

const [base, connections = "10", streams = "100", window = "0", path = "/track/demo"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node bench/h2-hold.mjs BASE [CONNECTIONS] [STREAMS] [WINDOW] [PATH]");
  process.exit(2);
}
const wanted = Number(connections) * Number(streams);
const statuses = {};
let answered = 0;
const report = () => console.log(`answers: ${JSON.stringify(statuses)} of ${wanted} asked`);
const done = setTimeout(report, 10_000);
for (let c = 0; c < Number(connections); c++) {
  const session = http2.connect(base, {
    settings: { initialWindowSize: Number(window) },
    // Node opens the connection's own window to 64 KiB; the streams' windows hold.
    peerMaxConcurrentStreams: Number(streams),
  });
  session.on("error", () => {});
  for (let s = 0; s < Number(streams); s++) {
    const body = process.env.HOLD_BODY;
    const stream = body
      ? session.request({ ":method": "POST", ":path": path, "content-type": "application/json" })
      : session.request({ ":path": path, "accept-encoding": "br" });
    if (body) stream.end(body);
    stream.on("response", (headers) => {
      const status = headers[":status"];
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (++answered === wanted) {
        clearTimeout(done);
        report();
      }
      // Never read: the body's data stays in the window, which never reopens.
      stream.pause();
    });
    stream.on("error", () => {});
  }
}
