// A deliberately cheap HTTP client for the benchmarks: node:http with one keep-alive agent, no
// validation, no retries, so the figures measure the server rather than the client.
import http from "node:http";

export function createCheapClient(baseUrl, sockets = 64) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  function request(method, path, body, headers = {}, attempt = 0) {
    return new Promise((resolve, reject) => {
      const payload =
        body === undefined
          ? undefined
          : Buffer.isBuffer(body) || body instanceof Uint8Array
            ? body
            : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          noDelay: true,
          headers: {
            "content-type": "application/json",
            ...(payload ? { "content-length": payload.length } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode >= 400)
              reject(new Error(`${method} ${path} -> ${res.statusCode}: ${text.slice(0, 200)}`));
            else resolve(res.headers["content-type"]?.includes("json") && text ? JSON.parse(text) : text);
          });
        },
      );
      req.on("error", (error) => {
        // The server closed an idle keep-alive socket as this request went out on it: the request
        // never reached the server, so sending it again is safe (the retry Node's docs describe).
        if (req.reusedSocket && error.code === "ECONNRESET" && attempt < 3)
          request(method, path, body, headers, attempt + 1).then(resolve, reject);
        else reject(error);
      });
      // One write for headers and body: separate small writes meet Nagle + delayed ACK (~40 ms).
      req.end(payload);
    });
  }
  return {
    post: (path, body, headers) => request("POST", path, body, headers),
    get: (path) => request("GET", path),
    close: () => agent.destroy(),
  };
}
