import http from "node:http";
import https from "node:https";

/** A backend's answer: status, headers, and the body as a Node stream. */
export type BackendAnswer = http.IncomingMessage;

/**
 * Cancels a backend call (timeout, client gone). A plain hook rather than an `AbortSignal`: on
 * Node 20 every `AbortController` costs a transferable object, a visible share of a call's CPU.
 */
export interface CallCancellation {
  /** Why the call was cancelled, once it was. */
  readonly reason: Error | null;
  /** Registers what cancelling does (replaces the previous hook: one backend request at a time). */
  onCancel(cancel: (reason: Error) => void): void;
}

/**
 * Posts JSON to model servers over keep-alive connections with `node:http` / `node:https`.
 *
 * Not `fetch`: on Node 20 a `fetch` call costs about 3.5 times the CPU of a `node:http` request
 * (0.48-0.79 ms against 0.13-0.21 ms per call on the benchmark machine), which alone would cap the
 * proxy well below its target of 2,000 calls/s (`bench/proxy.mjs`).
 */
export class BackendClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000, noDelay: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: 1_000, noDelay: true });

  /**
   * Sends `payload` to `url`; resolves with the answer once its headers arrive. A request that
   * went out on a kept-alive socket the server had just closed is sent again (it never reached
   * the server).
   */
  post(
    url: URL,
    headers: Record<string, string>,
    payload: string,
    cancellation: CallCancellation,
  ): Promise<BackendAnswer> {
    const body = Buffer.from(payload);
    const secure = url.protocol === "https:";
    const send = (attempt: number): Promise<BackendAnswer> =>
      new Promise<BackendAnswer>((resolve, reject) => {
        if (cancellation.reason !== null) {
          reject(cancellation.reason);
          return;
        }
        const request = (secure ? https : http).request(
          {
            protocol: url.protocol,
            hostname: url.hostname.replace(/^\[|\]$/g, ""),
            port: url.port,
            path: `${url.pathname}${url.search}`,
            method: "POST",
            agent: secure ? this.httpsAgent : this.httpAgent,
            headers: { ...headers, "content-length": String(body.length) },
          },
          resolve,
        );
        // Destroying the request also ends its answer's stream with the reason.
        cancellation.onCancel((reason) => request.destroy(reason));
        request.on("error", (error: NodeJS.ErrnoException) => {
          if (
            request.reusedSocket &&
            error.code === "ECONNRESET" &&
            attempt < 2 &&
            cancellation.reason === null
          ) {
            send(attempt + 1).then(resolve, reject);
          } else reject(error);
        });
        // One write for headers and body: separate small writes meet Nagle and delayed ACKs.
        request.end(body);
      });
    return send(0);
  }

  /** Closes idle kept-alive connections (in-flight requests finish). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Reads a whole answer body as text. */
export function readAnswer(answer: BackendAnswer): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    answer.on("data", (chunk: Buffer) => chunks.push(chunk));
    answer.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    answer.on("error", reject);
    answer.on("aborted", () =>
      reject(new Error("the backend closed the connection before the end of its answer")),
    );
  });
}

/** Drops an answer's body (a retried 5xx). */
export function discardAnswer(answer: BackendAnswer): void {
  answer.resume();
}
