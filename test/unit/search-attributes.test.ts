import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { searchAttributes } from '../../domain/search-attributes';
import { visibilityQueryProblem } from '../../domain/visibility-query';
import { escalationSearchAttributes, matterSearchAttributes } from '../../workflows/search-attributes';

describe('visibility queries from the API', () => {
  it('accepts queries over the service’s and the system attributes', () => {
    expect(visibilityQueryProblem("Overdue = true AND DivisionCode IN ('331102', '331121')")).toBeNull();
    expect(visibilityQueryProblem("(Backlog = true OR EscalationKinds = 'investigation') AND NextDueAt < '2026-12-01T00:00:00Z'")).toBeNull();
    expect(visibilityQueryProblem("WorkflowType = 'petitionWorkflow' AND ExecutionStatus = 'Running'")).toBeNull();
  });
  it('refuses what could escape the jurisdiction clause or reach other attributes', () => {
    expect(visibilityQueryProblem('Overdue = true) OR (Overdue = false')).toMatch(/closing parenthesis/);
    expect(visibilityQueryProblem('(Overdue = true')).toMatch(/unbalanced/);
    expect(visibilityQueryProblem("DivisionCode = '331102")).toMatch(/unterminated/);
    expect(visibilityQueryProblem("CustomKeywordField = 'x'")).toMatch(/unknown attribute CustomKeywordField/);
    expect(visibilityQueryProblem('Overdue = true; drop')).toMatch(/unexpected ";"/);
  });
});

describe('search attributes', () => {
  it('a matter’s carry its status, place, unit, limit, backlog flag and escalation kinds — and no personal data', () => {
    const pairs = matterSearchAttributes({
      status: 'IN_HANDLING',
      divisionCode: '331102',
      unitId: 'liandu-housing',
      overdue: true,
      current: { key: 'handling', dueAt: '2026-12-11T16:00:00.000Z' },
      overlays: {
        a: { id: 'a', kind: 'investigation', trigger: 'new_backlog', status: 'open', dueAt: null, overdue: false },
        b: { id: 'b', kind: 'warning_slip', trigger: 'two_visits', status: 'open', dueAt: null, overdue: false },
      },
    });
    expect(Object.fromEntries(pairs.map((p) => [p.key.name, p.value]))).toEqual({
      PetitionStatus: 'IN_HANDLING',
      DivisionCode: '331102',
      UnitId: 'liandu-housing',
      Overdue: true,
      NextDueAt: new Date('2026-12-11T16:00:00.000Z'),
      Backlog: true,
      EscalationKinds: ['investigation', 'warning_slip'],
    });
  });
  it('an escalation’s carry its status, its matter’s place and unit, overdue and the limit it runs against', () => {
    const slip = { status: 'open', divisionCode: '331121', unitId: 'qingtian-gov', overdue: false, current: { key: 'warningExplanation', dueAt: '2026-12-04T16:00:00.000Z' } } as const;
    const named = (s: Parameters<typeof escalationSearchAttributes>[0]) => Object.fromEntries(escalationSearchAttributes(s).map((p) => [p.key.name, p.value]));
    expect(named(slip)).toEqual({ PetitionStatus: 'OPEN', DivisionCode: '331121', UnitId: 'qingtian-gov', Overdue: false, NextDueAt: new Date('2026-12-04T16:00:00.000Z') });
    // Closed with its limits met: no next due instant; an escalation not yet with a unit clears UnitId.
    expect(named({ ...slip, status: 'closed', unitId: null, current: undefined })).toMatchObject({ PetitionStatus: 'CLOSED', UnitId: null, NextDueAt: null });
  });
  it('docker-compose’s setup job registers the same attributes with the same types', () => {
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    const line = compose.split('\n').find((l) => l.includes('for sa in'))!;
    expect(line.match(/\w+=\w+/g)).toEqual(searchAttributes.map((a) => `${a.name}=${a.type}`));
  });
});
