import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { divisions, units, users } from './schema';
import type { Db } from './client';

const here = dirname(fileURLToPath(import.meta.url));

type DivisionLevel = typeof divisions.$inferInsert.level;

/** Lishui's divisions, from the project's copy of the shared reference CSV. */
export function readDivisions(): (typeof divisions.$inferInsert)[] {
  const lines = readFileSync(join(here, 'seed', 'lishui-divisions.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(1).map((line) => {
    const [code, name, level, parentCode] = line.split(',').map((s) => s.trim());
    if (!code || !name || !level) throw new Error(`bad division row: ${line}`);
    return { code, name, level: level as DivisionLevel, parentCode: parentCode || null };
  });
  // The province is the parent of the city; it is not in the CSV but the tree needs a root.
  return [{ code: '330000', name: '浙江省', level: 'province', parentCode: null }, ...rows];
}

/** A starter set of responsible units: the bureau, each county government, some city departments. */
export const starterUnits: (typeof units.$inferInsert)[] = [
  { id: 'city-petition-bureau', name: '丽水市信访局', kind: 'petition_bureau', divisionCode: '331100' },
  { id: 'city-review-office', name: '丽水市人民政府（复查复核机关）', kind: 'review_body', divisionCode: '331100' },
  { id: 'city-housing', name: '丽水市住房和城乡建设局', kind: 'city_department', divisionCode: '331100' },
  { id: 'city-natural-resources', name: '丽水市自然资源和规划局', kind: 'city_department', divisionCode: '331100' },
  { id: 'city-human-resources', name: '丽水市人力资源和社会保障局', kind: 'city_department', divisionCode: '331100' },
  { id: 'city-health', name: '丽水市卫生健康委员会', kind: 'city_department', divisionCode: '331100' },
  { id: 'city-ecology', name: '丽水市生态环境局', kind: 'city_department', divisionCode: '331100' },
  { id: 'city-development-reform', name: '丽水市发展和改革委员会', kind: 'city_department', divisionCode: '331100' },
  { id: 'liandu-gov', name: '莲都区人民政府', kind: 'county_government', divisionCode: '331102' },
  { id: 'qingtian-gov', name: '青田县人民政府', kind: 'county_government', divisionCode: '331121' },
  { id: 'jinyun-gov', name: '缙云县人民政府', kind: 'county_government', divisionCode: '331122' },
  { id: 'suichang-gov', name: '遂昌县人民政府', kind: 'county_government', divisionCode: '331123' },
  { id: 'songyang-gov', name: '松阳县人民政府', kind: 'county_government', divisionCode: '331124' },
  { id: 'yunhe-gov', name: '云和县人民政府', kind: 'county_government', divisionCode: '331125' },
  { id: 'qingyuan-gov', name: '庆元县人民政府', kind: 'county_government', divisionCode: '331126' },
  { id: 'jingning-gov', name: '景宁畲族自治县人民政府', kind: 'county_government', divisionCode: '331127' },
  { id: 'longquan-gov', name: '龙泉市人民政府', kind: 'county_government', divisionCode: '331181' },
  { id: 'kaifaqu-admin', name: '丽水经济技术开发区管委会', kind: 'county_government', divisionCode: 'LSKFQ' },
  { id: 'liandu-housing', name: '莲都区住房和城乡建设局', kind: 'city_department', divisionCode: '331102' },
];

/** Development users, one per role, each bound to a division or a unit. Tokens: POST /auth/dev-token. */
export const devUsers: (typeof users.$inferInsert)[] = [
  { id: 'registrar-city', name: '市信访局登记员', role: 'registrar', divisionCode: '331100' },
  { id: 'registrar-liandu', name: '莲都区信访局登记员', role: 'registrar', divisionCode: '331102' },
  { id: 'registrar-qingtian', name: '青田县信访局登记员', role: 'registrar', divisionCode: '331121' },
  { id: 'handler-liandu-housing', name: '莲都区住建局经办人', role: 'unit_handler', unitId: 'liandu-housing' },
  { id: 'head-liandu-housing', name: '莲都区住建局局长', role: 'unit_head', unitId: 'liandu-housing' },
  { id: 'handler-city-housing', name: '市住建局经办人', role: 'unit_handler', unitId: 'city-housing' },
  { id: 'supervisor-city', name: '市信访局督查员', role: 'supervisor', divisionCode: '331100' },
  { id: 'supervisor-liandu', name: '莲都区信访局督查员', role: 'supervisor', divisionCode: '331102' },
  { id: 'admin', name: '系统管理员', role: 'admin', divisionCode: '331100' },
];

/** Idempotent: inserts reference data and development users that are not there yet. */
export async function seed(db: Db, opts: { devUsers: boolean }): Promise<void> {
  await db.insert(divisions).values(readDivisions()).onConflictDoNothing();
  await db.insert(units).values(starterUnits).onConflictDoNothing();
  if (opts.devUsers) await db.insert(users).values(devUsers).onConflictDoNothing();
}
