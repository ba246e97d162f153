import { describe, it, expect } from 'vitest';
import { WorkCalendar, CalendarUnknownYearError } from '../../domain/calendar';
import { policyFor } from '../../domain/rules';
import { computeDeadline, reminderInstants, isOverdue, describeDeadline } from '../../domain/deadline';

const calendar = new WorkCalendar();

// A calendar that fails if consulted: natural-day limits without roll-forward must not need one.
const noCalendar = new Proxy(calendar, {
  get(_t, prop) {
    throw new Error(`calendar consulted: ${String(prop)}`);
  },
});

describe('limits on the administration (natural days)', () => {
  it('accepted 2026-09-25 → reply due 2026-11-24', () => {
    const d = computeDeadline(policyFor('handling', '2026-09-25'), '2026-09-25', noCalendar);
    expect(d.dueDate).toBe('2026-11-24');
    expect(d.dueAt).toBe('2026-11-24T16:00:00.000Z');
    expect(d.days).toBe(60);
  });

  it('received 2026-09-25 → forwarded or assigned by 2026-10-10, holidays do not matter', () => {
    const d = computeDeadline(policyFor('triage', '2026-09-25'), '2026-09-25', noCalendar);
    expect(d.dueDate).toBe('2026-10-10');
  });

  it('accepted 2026-11-27 → reply due 2027-01-26 although 2027 has no calendar data yet', () => {
    const d = computeDeadline(policyFor('handling', '2026-11-27'), '2026-11-27', calendar);
    expect(d.dueDate).toBe('2027-01-26');
    expect(d.dueAt).toBe('2027-01-26T16:00:00.000Z');
  });

  it('an extension of 20 of at most 30 days runs from the original due date; 31 days is refused', () => {
    const ext = policyFor('extension', '2026-09-25');
    const d = computeDeadline(ext, '2026-11-24', calendar, { days: 20 });
    expect(d.dueDate).toBe('2026-12-14');
    expect(d.extendedBy).toBe(20);
    expect(computeDeadline(ext, '2026-11-24', calendar).dueDate).toBe('2026-12-24');
    expect(() => computeDeadline(ext, '2026-11-24', calendar, { days: 31 })).toThrow(RangeError);
  });

  it('re-review requested 2026-09-01 with a 5-day hearing → decision due 2026-10-06', () => {
    const d = computeDeadline(policyFor('reReviewDecision', '2026-09-01'), '2026-09-01', calendar, { pausedDays: 5 });
    expect(d.dueDate).toBe('2026-10-06');
    expect(d.pausedDays).toBe(5);
  });
});

describe('petitioner windows roll forward to a working day', () => {
  it('reply received 2026-09-01: 30 days end on 2026-10-01 (National Day) → review request window ends 2026-10-08', () => {
    const d = computeDeadline(policyFor('reviewRequest', '2026-09-01'), '2026-09-01', calendar);
    expect(d.dueDate).toBe('2026-10-08');
    expect(d.rolledFrom).toBe('2026-10-01');
    expect(d.dueAt).toBe('2026-10-08T16:00:00.000Z');
  });

  it('review decision received 2026-10-08: 30 days end on Saturday 2026-11-07 → re-review window ends Monday 2026-11-09', () => {
    const d = computeDeadline(policyFor('reReviewRequest', '2026-10-08'), '2026-10-08', calendar);
    expect(d.dueDate).toBe('2026-11-09');
  });

  it('a window ending on a working day stays put', () => {
    const d = computeDeadline(policyFor('reviewRequest', '2026-09-10'), '2026-09-10', calendar);
    expect(d.dueDate).toBe('2026-10-10'); // Saturday make-up working day
    expect(d.rolledFrom).toBeUndefined();
  });

  it('a window ending in 2027 cannot be rolled without 2027 data', () => {
    expect(() => computeDeadline(policyFor('reviewRequest', '2026-12-15'), '2026-12-15', calendar)).toThrow(
      CalendarUnknownYearError,
    );
  });
});

describe('working-day limits', () => {
  it('warning explanation: visit on 2026-09-30 (last working day before National Day) → explanation due 2026-10-10', () => {
    const d = computeDeadline(policyFor('warningExplanation', '2026-09-30'), '2026-09-30', calendar);
    expect(d.dueDate).toBe('2026-10-10');
    expect(d.dueAt).toBe('2026-10-10T16:00:00.000Z');
  });

  it('objection: assigned 2026-09-30 → outside-remit objection due 2026-10-13 (5 WD: 10-08, 09, 10, 12, 13)', () => {
    const d = computeDeadline(policyFor('objection', '2026-09-30'), '2026-09-30', calendar);
    expect(d.dueDate).toBe('2026-10-13');
  });

  it('three-party review: abnormal Beijing visit on 2026-09-18 → review due 2026-10-15 (15 WD)', () => {
    // Sunday 09-20 make-up (1), 09-21..24 (4), Mid-Autumn 09-25..27 off, 09-28..30 (3), 10-08..10 (3), 10-12..15 (4)
    const d = computeDeadline(policyFor('threePartyReview', '2026-09-18'), '2026-09-18', calendar);
    expect(d.dueDate).toBe('2026-10-15');
  });
});

describe('reminders, overdue, description', () => {
  const handling = computeDeadline(policyFor('handling', '2026-09-25'), '2026-09-25', calendar);

  it('reminds 10 and 3 days before the reply is due, dropping leads before the count starts', () => {
    expect(reminderInstants(handling, [3, 10, 60, 90])).toEqual([
      { leadDays: 10, at: '2026-11-14T16:00:00.000Z' },
      { leadDays: 3, at: '2026-11-21T16:00:00.000Z' },
    ]);
  });

  it('is overdue from 24:00 Asia/Shanghai on the due date', () => {
    expect(isOverdue(handling, '2026-11-24T23:59:59+08:00')).toBe(false);
    expect(isOverdue(handling, '2026-11-25T00:00:00+08:00')).toBe(true);
    expect(isOverdue(handling, '2026-11-24T16:00:00.000Z')).toBe(true);
  });

  it('describes the limit for the case file', () => {
    expect(describeDeadline(handling)).toBe(
      '处理期限 handling: 60 d (natural) from 2026-09-25 → 2026-11-24 24:00 Asia/Shanghai — 《信访工作条例》第三十四条',
    );
    const review = computeDeadline(policyFor('reviewRequest', '2026-09-01'), '2026-09-01', calendar);
    expect(describeDeadline(review)).toContain('rolled forward from 2026-10-01');
    const warn = computeDeadline(policyFor('warningExplanation', '2026-09-30'), '2026-09-30', calendar);
    expect(describeDeadline(warn)).toMatch(/^预警书面说明 warning explanation: 3 WD \(working\) from 2026-09-30 → 2026-10-10/);
  });

  it('rejects a malformed start date', () => {
    expect(() => computeDeadline(policyFor('handling', '2026-09-25'), '2026-9-25', calendar)).toThrow(RangeError);
  });
});
