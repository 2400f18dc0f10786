/*
 * The benchmark's HTTP client. The clients share this machine's two cores with the server, so they use
 * node:http with kept-alive connections (about half the CPU per request of fetch), one connection per client.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface BenchHttp {
  request(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    server?: number,
  ): Promise<Answer>;
  post(path: string, token: string | null, body: unknown, server?: number): Promise<Answer>;
  close(): void;
}

/** A client of the server processes listening on these ports (`server` picks one; 0 by default). */
export function benchHttp(ports: number[], connections: number): BenchHttp {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const request = (method: string, path: string, token: string | null, body?: unknown, server = 0) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: ports[server],
          path,
          method,
          agent,
          headers: {
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
            } catch {
              reject(new Error(`${method} ${path}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    request,
    post: (path, token, body, server = 0) => request('POST', path, token, body, server),
    close: () => agent.destroy(),
  };
}
