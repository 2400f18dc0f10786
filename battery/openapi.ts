/*
 * The route table as the service documents it (/docs-json): every operation with its permissions, parameters and
 * body schema, and a body each operation would accept, so that an access probe reaches the object checks instead
 * of stopping at validation. A route added to the service joins every battery through this table by itself.
 */
import { randomUUID } from 'node:crypto';
import type { Api } from './harness.js';
import type { Fixtures } from './fixtures.js';
import { PDF_BASE64 } from './fixtures.js';
import { COMMUNITY, makeApplication } from './harness.js';

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
}

export interface Route {
  method: string;
  /** As documented: /tasks/{id}/complete */
  path: string;
  key: string;
  permissions: string[];
  public: boolean;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body?: Schema;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown[];
        'x-permissions'?: string[];
        parameters?: { in: string; name: string; schema: Schema }[];
        requestBody?: { content: Record<string, { schema: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

export class RouteTable {
  constructor(
    public readonly routes: Route[],
    private readonly schemas: Record<string, Schema>,
  ) {}

  static async load(api: Api): Promise<RouteTable> {
    const res = await api.call('GET', '/docs-json');
    if (res.status !== 200) throw new Error(`/docs-json answered ${res.status}`);
    const doc = res.body as unknown as OpenApiDocument;
    const routes: Route[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const params = op.parameters ?? [];
        routes.push({
          method: method.toUpperCase(),
          path,
          key: `${method.toUpperCase()} ${path}`,
          permissions: op['x-permissions'] ?? [],
          public: !op.security?.length,
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
          body: op.requestBody?.content['application/json']?.schema,
        });
      }
    return new RouteTable(routes, doc.components.schemas);
  }

  resolve(s: Schema | undefined): Schema | undefined {
    if (!s) return s;
    if (s.$ref) return this.resolve(this.schemas[s.$ref.split('/').pop()!]);
    if (s.allOf?.length === 1) return this.resolve(s.allOf[0]);
    return s;
  }

  /** A value the schema admits, made from its types alone (for routes the battery has no body for). */
  example(s: Schema | undefined, depth = 0): unknown {
    const r = this.resolve(s);
    if (!r || depth > 4) return undefined;
    if (r.enum?.length) return r.enum[0];
    switch (r.type) {
      case 'string':
        if (r.format === 'uuid') return randomUUID();
        if (r.format === 'date-time') return '2027-06-01T00:00:00+08:00';
        if (r.format === 'date') return '2027-06-01';
        return 'battery';
      case 'number':
      case 'integer':
        return 1;
      case 'boolean':
        return true;
      case 'array':
        return [this.example(r.items, depth + 1)];
      case 'object':
      default: {
        const out: Record<string, unknown> = {};
        for (const name of r.required ?? []) out[name] = this.example(r.properties?.[name], depth + 1);
        return out;
      }
    }
  }

  /** The names of a body schema's fields. */
  fields(route: Route): string[] {
    return Object.keys(this.resolve(route.body)?.properties ?? {});
  }

  /** The schema of one field of a route's body. */
  field(route: Route, name: string): Schema | undefined {
    return this.resolve(this.resolve(route.body)?.properties?.[name]);
  }
}

/** A body each route accepts when the object and the actor are right (hand-made where types alone won't do). */
export function validBody(table: RouteTable, route: Route, f: Fixtures): unknown {
  const c1 = f.unit[COMMUNITY.C1];
  const until = new Date(Date.now() + 7 * 86400_000).toISOString();
  const known: Record<string, unknown> = {
    'POST /auth/login': { username: 'battery-clerk', password: 'Battery@Clerk-2026' },
    'POST /workflow-instances': { processId: 'admission', ownerUnitId: f.unit['339901-WJ'], variables: {} },
    'PUT /work-calendar/{day}': { workingDay: false, note: '测试' },
    'POST /tasks/{id}/complete': { decision: 'approve' },
    'POST /tasks/{id}/return': { deficiencies: ['材料不全'], comment: '请补充' },
    'POST /tasks/{id}/reassign': { toUserId: f.user['office'] },
    'POST /tasks/{id}/delegate': { toUserId: f.user['office'], until },
    'POST /tasks/{id}/signers': { userIds: [f.user['member-1']] },
    'POST /admin/units': {
      code: '339901-BT',
      name: '测试单位',
      kind: 'DEPARTMENT',
      parentId: f.unit['339901'],
    },
    'PATCH /admin/units/{id}': { name: '测试改名', version: 1 },
    'PUT /admin/leading-groups/{id}': {
      memberUnitIds: [f.unit['339901-GA'], f.unit['339901-RS'], f.unit['339901-CZ']],
    },
    'POST /admin/users': {
      username: 'battery-new',
      displayName: '新账号',
      unitId: f.unit['339901-WJ'],
      password: 'Battery@New-2026',
    },
    'PATCH /admin/users/{id}': { displayName: '改名', version: 1 },
    'PUT /admin/users/{id}/roles': { roles: ['DEPT_STAFF'], version: 1 },
    'POST /admin/users/{id}/password': { password: 'Battery@Reset-2026' },
    'POST /admission/negative-list/changes': {
      action: 'add',
      code: 'BT-1',
      nameZh: '测试事项',
      nameEn: 'Battery item',
      appliesTo: 'task',
      keywords: ['测试'],
      source: '测试',
      reason: '测试',
    },
    'POST /applications/{id}/attachments': {
      fileName: 'a.pdf',
      contentType: 'application/pdf',
      contentBase64: PDF_BASE64,
    },
    'POST /applications': makeApplication([c1]),
    'PATCH /applications/{id}': { title: '改题', version: 1 },
    'POST /emergency-items': {
      departmentId: f.unit['339901-WJ'],
      kind: 'task',
      title: '突发疫情排查',
      reason: '疫情',
      statutoryArea: 'public_health',
      targetCommunityIds: [c1],
      authorizedContent: '排查',
      targetPopulation: '全体居民',
      powers: '登记',
      days: 7,
      fundingPerCommunityFen: 0,
    },
    'POST /admitted-items/{id}/evaluations': { period: '2027Q3', respondents: 100, satisfied: 90 },
    'POST /admitted-items/{id}/exit-proposals': { communityId: c1, reason: '居民反映负担重' },
    'POST /admitted-items/{id}/transfers': {
      communityId: f.unit[COMMUNITY.C2],
      amountFen: 300000,
      account: '东华街道社区财务专账 6222',
      reference: 'GK-battery-2',
      idempotencyKey: `battery-${randomUUID()}`,
    },
  };
  if (route.key in known) return known[route.key];
  return route.body ? table.example(route.body) : undefined;
}
