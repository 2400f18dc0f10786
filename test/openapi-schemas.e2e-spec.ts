import { admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';

interface Schema {
  $ref?: string;
  type?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  nullable?: boolean;
}
interface Operation {
  tags?: string[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** The tags of the admission and workflow routes: each of them answers a documented type. */
const DOCUMENTED_TAGS = ['admission', 'admitted items', 'workflows', 'tasks'];

describe('the OpenAPI document names what every admission and workflow route answers', () => {
  let t: TestApp;
  let doc: Doc;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    const res = await t.http().get('/docs-json');
    expect(res.status).toBe(200);
    doc = res.body as Doc;
  });
  afterAll(async () => {
    await t.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );

  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s;

  /** The properties of an object schema, through `$ref` and `allOf`. */
  function objectOf(
    s: Schema | undefined,
  ): { properties: Record<string, Schema>; required: string[] } | null {
    const r = resolve(s);
    if (!r) return null;
    if (r.allOf) {
      const parts = r.allOf.map(objectOf);
      if (parts.some((p) => !p)) return null;
      return {
        properties: Object.assign({}, ...parts.map((p) => p!.properties)),
        required: parts.flatMap((p) => p!.required),
      };
    }
    return r.properties ? { properties: r.properties, required: r.required ?? [] } : null;
  }

  /** A body is exactly its schema: no field beyond the documented ones, every required one present. */
  function expectShape(value: unknown, s: Schema | undefined, at: string): void {
    const r = resolve(s);
    if (value === null || value === undefined || !r) return;
    if (r.type === 'array' || Array.isArray(value)) {
      expect({ at, isArray: Array.isArray(value) }).toEqual({ at, isArray: true });
      for (const [i, v] of (value as unknown[]).entries()) expectShape(v, r.items, `${at}[${i}]`);
      return;
    }
    const o = objectOf(r);
    if (!o) return;
    const keys = Object.keys(value as object);
    expect({ at, extra: keys.filter((k) => !(k in o.properties)) }).toEqual({ at, extra: [] });
    expect({ at, missing: o.required.filter((k) => !keys.includes(k)) }).toEqual({ at, missing: [] });
    for (const k of keys) expectShape((value as Record<string, unknown>)[k], o.properties[k], `${at}.${k}`);
  }

  /** The documented 2xx schema of a route, as the document writes the path. */
  function schemaOf(method: string, path: string, status: number): Schema | undefined {
    const op = doc.paths[path]?.[method.toLowerCase()];
    expect({ route: `${method} ${path}`, documented: !!op }).toEqual({
      route: `${method} ${path}`,
      documented: true,
    });
    return op!.responses[String(status)]?.content?.['application/json']?.schema;
  }

  async function call(user: string | null, method: 'get' | 'post', url: string, path: string, body?: object) {
    let req = t.http()[method](url);
    if (user) req = req.set(await auth(user));
    const res = await (body ? req.send(body) : req);
    expect({ url, status: res.status }).toEqual({ url, status: method === 'get' ? 200 : res.status });
    expect(res.status).toBeLessThan(300);
    const schema = schemaOf(method.toUpperCase(), path, res.status);
    expect(schema).toBeDefined();
    expectShape(res.body, schema, `${method.toUpperCase()} ${path}`);
    return res.body;
  }

  it('given the document, then every admission and workflow route has a 2xx answer with a schema', () => {
    const routes = operations().filter(({ op }) => op.tags?.some((tag) => DOCUMENTED_TAGS.includes(tag)));
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes
      .filter(({ op }) => {
        const ok = Object.entries(op.responses).filter(([code]) => /^2\d\d$/.test(code));
        return !ok.some(([, r]) =>
          Object.values(r.content ?? {}).some(
            (c) => c.schema && (c.schema.$ref || c.schema.type || c.schema.allOf),
          ),
        );
      })
      .map(({ route }) => route);
    expect(missing).toEqual([]);
  });

  it('given the document, then no GET route answers a bare array: lists answer a page with its total', () => {
    const bare = operations()
      .filter(({ route }) => route.startsWith('GET '))
      .filter(({ op }) =>
        Object.entries(op.responses).some(
          ([code, r]) => /^2/.test(code) && r.content?.['application/json']?.schema?.type === 'array',
        ),
      )
      .map(({ route }) => route);
    // The organization tree is one nested answer, not a list.
    expect(bare).toEqual(['GET /org/tree']);
    const paged = operations().filter(
      ({ op }) => objectOf(op.responses['200']?.content?.['application/json']?.schema)?.properties.total,
    );
    expect(paged.length).toBeGreaterThan(10);
    for (const { route, op } of paged) {
      expect({
        route,
        params: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      }).toEqual({
        route,
        params: expect.arrayContaining(['page', 'pageSize']),
      });
    }
  });

  it('given an application taken to the register, then what each route sends is exactly its schema', async () => {
    const communities = [unit['339901001001'], unit['339901001002']];
    const draft = (await call(
      'dept-staff',
      'post',
      '/applications',
      '/applications',
      makeApplication(communities),
    )) as {
      id: string;
    };
    await call('dept-staff', 'get', `/applications/${draft.id}`, '/applications/{id}');
    await call(
      'dept-staff',
      'post',
      `/applications/${draft.id}/attachments`,
      '/applications/{id}/attachments',
      {
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        contentBase64: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n').toString('base64'),
      },
    );
    await call(
      'dept-staff',
      'get',
      `/applications/${draft.id}/attachments`,
      '/applications/{id}/attachments',
    );
    const { itemId, instanceId } = await admitApplication(
      t,
      makeApplication(communities, { title: '模式核对' }),
    );
    await call('dept-staff', 'get', '/applications', '/applications');
    await call(null, 'get', `/admitted-items/${itemId}`, '/admitted-items/{id}');
    await call(null, 'get', '/admitted-items', '/admitted-items');
    await call(null, 'get', '/admission/statutory-areas', '/admission/statutory-areas');
    await call(null, 'get', '/admission/negative-list', '/admission/negative-list');
    await call('office', 'get', '/admission/negative-list/changes', '/admission/negative-list/changes');
    // The stamp registry's lists and a proposal with its diff (src/stamps).
    const stampLists = (await call(null, 'get', '/stamp-lists', '/stamp-lists')) as {
      items: { listKey: string }[];
    };
    await call(null, 'get', `/stamp-lists/${stampLists.items[0].listKey}`, '/stamp-lists/{listKey}');
    await call('office', 'get', '/stamp-proposals/scopes', '/stamp-proposals/scopes');
    const stampProposal = (await call('office', 'post', '/stamp-proposals', '/stamp-proposals', {
      scopeCode: '339901',
      summary: '模式核对',
      changes: [
        {
          kind: 'new-list',
          list: {
            title: '模式核对清单',
            documentNumber: '模式〔2027〕1号',
            issuedBy: '东湖区民政局',
            issuedOn: '2027-01',
            listType: 'allowed',
            effectiveFrom: '2027-06-01',
          },
          entries: [
            { name: '模式核对证明', legalBasis: '模式〔2027〕1号', timeLimit: { kind: 'on-the-spot' } },
          ],
        },
      ],
    })) as { proposalId: string };
    await call('office', 'get', `/stamp-proposals/${stampProposal.proposalId}`, '/stamp-proposals/{id}');
    await call('leader', 'get', '/stamp-proposals', '/stamp-proposals');
    // A stamp-list import: its dry run, report, rows (a changed, an added and a rejected one) and proposal.
    const stampImport = (await call('city-office', 'post', '/stamp-imports', '/stamp-imports', {
      fileName: '模式核对.csv',
      contentBase64: Buffer.from(
        [
          'seq,name,list_type,scope,source_document,issued_by,issued,time_limit',
          '2,生活困难证明,allowed,3399,示民发〔2021〕15号,示范市民政局 示范市司法局,2021-06-15,当场',
          '9,模式核对导入证明,allowed,3399,示民发〔2021〕15号,同上,2021-06-15,',
          '10,,allowed,3399,示民发〔2021〕15号,同上,2021-06-15,',
        ].join('\n'),
      ).toString('base64'),
    })) as { id: string };
    await call('city-office', 'get', `/stamp-imports/${stampImport.id}`, '/stamp-imports/{id}');
    await call('city-office', 'get', '/stamp-imports', '/stamp-imports');
    await call('city-office', 'get', `/stamp-imports/${stampImport.id}/rows`, '/stamp-imports/{id}/rows');
    await call(
      'city-office',
      'post',
      `/stamp-imports/${stampImport.id}/proposal`,
      '/stamp-imports/{id}/proposal',
    );
    await call('dept-staff', 'get', `/workflow-instances/${instanceId}`, '/workflow-instances/{id}');
    await call(
      'dept-staff',
      'get',
      `/workflow-instances/${instanceId}/history`,
      '/workflow-instances/{id}/history',
    );
    await call(
      'dept-staff',
      'get',
      `/workflow-instances/${instanceId}/diagram`,
      '/workflow-instances/{id}/diagram',
    );
    const [task] = await t.dataSource.query(
      `SELECT t.id FROM workflow_task t JOIN app_user u ON u.id = t.completed_by
        WHERE t.instance_id = $1 AND u.username = 'dept-head'`,
      [instanceId],
    );
    await call('dept-head', 'get', `/tasks/${task.id}`, '/tasks/{id}');
    await call('office', 'get', '/workflows', '/workflows');
    await call('office', 'get', '/workflow-incidents', '/workflow-incidents');
    await call('office', 'get', '/work-calendar?year=2027', '/work-calendar');
    const submitted = await submitApplication(t, makeApplication(communities, { title: '办理核对' }));
    const [open] = await t.dataSource.query(
      `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'deptApprove' AND status = 'open'`,
      [submitted.instanceId],
    );
    await call('dept-head', 'post', `/tasks/${open.id}/claim`, '/tasks/{id}/claim', {});
    await call('dept-head', 'post', `/tasks/${open.id}/unclaim`, '/tasks/{id}/unclaim', {});
    await call('dept-staff', 'post', `/tasks/${open.id}/urge`, '/tasks/{id}/urge', { comment: '请尽快' });
    await call('dept-head', 'post', `/tasks/${open.id}/complete`, '/tasks/{id}/complete', {
      decision: 'approve',
    });
    await call('auditor', 'get', '/audit', '/audit');
    await call('sysadmin', 'get', '/org/units', '/org/units');
    await call('sysadmin', 'get', '/admin/users', '/admin/users');
  });
});
