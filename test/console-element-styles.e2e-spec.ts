import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file of the console's source, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(vue|ts)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** ElTableColumn → table-column, vLoading → loading: the folder of its style in element-plus/es/components. */
const folderOf = (name: string) =>
  name
    .replace(/^(El|v)/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();

/**
 * The console loads only the styles of the Element Plus components it uses (`console/src/element-styles.ts`):
 * a component used without its style would show unstyled, so each one imported from element-plus must have its
 * line, and each line must name a style that exists.
 */
describe('the console’s Element Plus styles', () => {
  const styles = readFileSync('console/src/element-styles.ts', 'utf8');
  const listed = [...styles.matchAll(/element-plus\/es\/components\/([\w-]+)\/style\/css/g)].map((m) => m[1]);

  it('given every component imported from element-plus in the console, then its style is imported', () => {
    const used = new Set<string>();
    for (const file of sources('console/src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'element-plus'/g))
        for (const name of m[1].split(',').map((x) => x.replace(/^\s*type\s+/, '').trim()))
          if (/^(El[A-Z]|v[A-Z])/.test(name)) used.add(folderOf(name));
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((c) => !listed.includes(c)).sort()).toEqual([]);
  });

  it('given each style the console imports, then element-plus has it', () => {
    expect(listed.length).toBeGreaterThan(20);
    expect(
      listed.filter((c) => !existsSync(`node_modules/element-plus/es/components/${c}/style/css.mjs`)),
    ).toEqual([]);
  });
});
