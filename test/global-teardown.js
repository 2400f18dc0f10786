import { endTestRun } from '../dist/src/database/test-databases.js';

export default async function globalTeardown() {
  const { CWA_TEST_ADMIN_URL, CWA_TEST_TEMPLATE, CWA_TEST_RUN } = process.env;
  if (CWA_TEST_ADMIN_URL && CWA_TEST_TEMPLATE) {
    await endTestRun(CWA_TEST_ADMIN_URL, CWA_TEST_TEMPLATE, CWA_TEST_RUN, globalThis.__cwaTestServer);
  }
}
