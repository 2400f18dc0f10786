import { createDatabase, dropDatabase, scratchName } from '../../src/database/servers.js';
export { TEST_DEMO_PASSWORD } from '../../src/database/test-databases.js';

export function testServer(): { adminUrl: string; template: string } {
  const adminUrl = process.env.CWA_TEST_ADMIN_URL;
  const template = process.env.CWA_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('test/global-setup.js did not run');
  return { adminUrl, template };
}

/** A fresh database for one test file: a clone of the migrated, seeded template, or an empty one. */
export async function scratchDatabase(
  fromTemplate = true,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { adminUrl, template } = testServer();
  const name = scratchName(`cwa_t${process.env.CWA_TEST_RUN}`);
  const url = await createDatabase(adminUrl, name, fromTemplate ? template : undefined);
  return { url, name, drop: () => dropDatabase(adminUrl, name) };
}
