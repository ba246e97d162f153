import { describe, it, expect } from 'vitest';
import { policyFor, hasLimit, ruleSetFor, ruleSets, REFORM_DATE, NoSuchLimitError, type LimitKey } from '../../domain/rules';

describe('which regulation applies', () => {
  it('an event on 2022-04-30 falls under 《信访条例》(2005), one on 2022-05-01 under 《信访工作条例》(2022)', () => {
    expect(REFORM_DATE).toBe('2022-05-01');
    expect(ruleSetFor('2022-04-30')).toBe('2005');
    expect(ruleSetFor('2022-05-01')).toBe('2022');
    expect(policyFor('handling', '2022-04-30').basis).toBe('《信访条例》第三十三条');
    expect(policyFor('handling', '2022-05-01').basis).toBe('《信访工作条例》第三十四条');
  });

  it('rejects a malformed event date', () => {
    expect(() => ruleSetFor('2022-5-1')).toThrow(RangeError);
  });
});

describe('statutory limits (domain.md §3)', () => {
  const table: [LimitKey, number, string, string][] = [
    ['triage', 15, '第二十一条', '第二十二条'],
    ['acceptance', 15, '第二十一条', '第二十三条'],
    ['handling', 60, '第三十三条', '第三十四条'],
    ['extension', 30, '第三十三条', '第三十四条'],
    ['reviewRequest', 30, '第三十四条', '第三十五条'],
    ['reviewDecision', 30, '第三十四条', '第三十五条'],
    ['reReviewRequest', 30, '第三十五条', '第三十六条'],
    ['reReviewDecision', 30, '第三十五条', '第三十六条'],
  ];

  it.each(table)('%s: %i natural days, 2005 %s / 2022 %s', (key, days, art2005, art2022) => {
    const old = policyFor(key, '2019-06-01');
    const now = policyFor(key, '2026-09-25');
    expect(old).toMatchObject({ key, days, counting: 'natural', ruleSet: '2005', basis: `《信访条例》${art2005}` });
    expect(now).toMatchObject({ key, days, counting: 'natural', ruleSet: '2022', basis: `《信访工作条例》${art2022}` });
  });

  it('only the petitioner’s review and re-review request windows roll forward', () => {
    const rolling = table.map(([k]) => k).filter((k) => policyFor(k, '2026-09-25').rollForward);
    expect(rolling).toEqual(['reviewRequest', 'reReviewRequest']);
  });

  it('the 5-working-day objection exists only under the 2022 rules', () => {
    expect(hasLimit('objection', '2022-04-30')).toBe(false);
    expect(() => policyFor('objection', '2022-04-30')).toThrow(NoSuchLimitError);
    expect(hasLimit('objection', '2022-05-01')).toBe(true);
    expect(policyFor('objection', '2022-05-01')).toEqual({
      key: 'objection',
      label: expect.stringContaining('objection'),
      days: 5,
      counting: 'working',
      rollForward: false,
      ruleSet: '2022',
      basis: '《信访工作条例》第二十三条',
    });
  });

  it('the acceptance label reads 受理告知 acceptance decision', () => {
    expect(policyFor('acceptance', '2026-09-25').label).toBe('受理告知 acceptance decision');
  });

  it('lists both rule sets as data', () => {
    expect(Object.keys(ruleSets).sort()).toEqual(['2005', '2022']);
    expect(ruleSets['2005'].instrument).toContain('国务院令第431号');
    expect(ruleSets['2005'].limits.objection).toBeUndefined();
  });
});

describe('campaign and service rules', () => {
  it('warning explanation: 3 working days, from the 2018 Lishui notice', () => {
    const p = policyFor('warningExplanation', '2026-09-30');
    expect(p).toMatchObject({ days: 3, counting: 'working', rollForward: false, ruleSet: 'campaign-2018' });
    expect(p.basis).toContain('丽委办发〔2018〕51号 二（二）4');
  });

  it('three-party review: 15 working days, from the 2018 Lishui notice', () => {
    const p = policyFor('threePartyReview', '2026-09-30');
    expect(p).toMatchObject({ days: 15, counting: 'working', ruleSet: 'campaign-2018' });
    expect(p.basis).toContain('二（三）2');
  });

  it('evaluation window is 7 days unless configured', () => {
    expect(policyFor('evaluation', '2026-11-24')).toMatchObject({ days: 7, counting: 'natural', ruleSet: 'service' });
    expect(policyFor('evaluation', '2026-11-24', { evaluationDays: 10 }).days).toBe(10);
    expect(() => policyFor('evaluation', '2026-11-24', { evaluationDays: 0 })).toThrow(RangeError);
  });

  it('一事双查 investigation is 30 days unless configured', () => {
    const p = policyFor('investigation', '2026-11-25');
    expect(p).toMatchObject({ days: 30, counting: 'natural', ruleSet: 'service' });
    expect(p.basis).toContain('《信访工作责任制实施细则》');
    expect(policyFor('investigation', '2026-11-25', { investigationDays: 45 }).days).toBe(45);
  });

  it('campaign rules do not depend on the statutory reform date', () => {
    expect(hasLimit('warningExplanation', '2019-01-01')).toBe(true);
    expect(policyFor('warningExplanation', '2019-01-01').ruleSet).toBe('campaign-2018');
  });
});
