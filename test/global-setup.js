// Runs once before all test files. Loads the compiled code (`npm test` builds first).
import { beginTestRun } from '../dist/src/database/test-databases.js';

export default async function globalSetup() {
  const run = await beginTestRun();
  process.env.CWA_TEST_ADMIN_URL = run.adminUrl;
  process.env.CWA_TEST_TEMPLATE = run.template;
  process.env.CWA_TEST_RUN = run.run;
  globalThis.__cwaTestServer = run.server;
  if (run.server.embedded)
    console.log('\nNo PostgreSQL answered on 127.0.0.1:5432: the tests use an embedded one.');
}
