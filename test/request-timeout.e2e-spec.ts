import { connect } from 'node:net';
import { startTestApp, type TestApp } from './helpers/app.js';

/**
 * A request whose body stops arriving (the attack of 2026-12-03: Content-Length 100, then 5 bytes, held the
 * connection 400 s and more) is answered 408 REQUEST_TIMEOUT once REQUEST_TIMEOUT_MS has passed, and closed.
 */
describe('a request that does not arrive in time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REQUEST_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('given headers and part of the body, then 408 REQUEST_TIMEOUT in JSON and the connection closed', async () => {
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"use',
        );
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 20_000).unref();
    });
    const elapsed = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('given a body that arrives in parts within the time, then it is answered as usual', async () => {
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    const body = JSON.stringify({ username: 'nobody', password: 'wrong-password' });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
        );
        setTimeout(() => socket.write(body.slice(5)), 500);
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toContain('"code":"LOGIN_FAILED"');
  });
});
