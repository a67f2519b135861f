// Preloaded into upstream servers started by tests (node --import): a server that listens on a bare port would
// bind every interface; this pins it to 127.0.0.1 so tests never expose anything beyond loopback.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    const port = Number(args[0]);
    const rest = args.slice(1).filter((a) => typeof a === "function");
    return listen.call(this, port, "127.0.0.1", ...rest);
  }
  if (args[0] && typeof args[0] === "object" && !args[0].path) args[0] = { ...args[0], host: "127.0.0.1" };
  return listen.apply(this, args);
};
