// The console's forms are derived from the API's own zod schemas (web/src/forms.ts), and the escalation steps it
// offers come from one rule (domain/escalation-commands.ts): what a caseworker sees follows the schemas and the state.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { extendSchema, meetingSchema, replySchema } from '../../domain/commands';
import { closureSchema } from '../../domain/backlog';
import { availableEscalationCommands } from '../../domain/escalation-commands';
import type { EscalationState } from '../../domain/escalation';
import { controlCharacterAt } from '../../api/plugins/hardening';
import { fieldsFrom } from '../../web/src/forms';

describe('form fields from the API schemas', () => {
  it('takes kind, required, options and bounds from the schema and only the labels from the form', () => {
    const reply = fieldsFrom(replySchema, { request: '信访请求', deliveryMethod: { label: '送达方式', options: { in_person: '当面送达' } }, deliveredOn: '送达日期' });
    expect(reply.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['request', 'textarea', true],
      ['deliveryMethod', 'select', true],
      ['deliveredOn', 'date', false],
    ]);
    // Every code of the enum is offered; codes the form gives no label for keep the code.
    expect(reply[1]!.options).toEqual({ in_person: '当面送达', post: 'post', online: 'online', sms: 'sms' });
    expect(fieldsFrom(extendSchema, { days: '延长天数' })[0]).toMatchObject({ kind: 'number', min: 1, max: 30, required: true });
    const meeting = fieldsFrom(meetingSchema, { date: '见面日期', participants: '参加人员', place: '地点' });
    expect(meeting.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['date', 'date', false],
      ['place', 'text', false],
      ['participants', 'list', false],
    ]);
    expect(fieldsFrom(closureSchema, { evidence: '佐证材料', closedOn: '化解日期' }).map((f) => [f.kind, f.required])).toEqual([
      ['list', true],
      ['date', true],
    ]);
  });
});

describe('the escalation step offered', () => {
  const state = (kind: EscalationState['kind'], details: Record<string, unknown>, status: EscalationState['status'] = 'open') => ({ kind, status, details });
  it('a warning slip asks the warned unit for each explanation not yet given', () => {
    const s = state('warning_slip', { explanations: [{ no: 1, content: '已说明' }, { no: 2 }] });
    expect(availableEscalationCommands(s, { role: 'unit_handler' })).toEqual([{ name: 'explain', zh: '提交书面说明（第2次）', explanationNo: 2 }]);
    expect(availableEscalationCommands(s, { role: 'registrar' })).toEqual([]);
  });
  it('a three-party review offers its next step in order, to supervisors only, and nothing once completed', () => {
    const steps = (record: Record<string, unknown>) => availableEscalationCommands(state('three_party_review', { record }), { role: 'supervisor' }).map((c) => c.name);
    expect(steps({})).toEqual(['participants']);
    expect(steps({ participants: {} })).toEqual(['session']);
    expect(steps({ participants: {}, session: {} })).toEqual(['recording']);
    expect(steps({ participants: {}, session: {}, recording: {} })).toEqual(['archive']);
    expect(availableEscalationCommands(state('three_party_review', {}), { role: 'unit_head' })).toEqual([]);
    expect(availableEscalationCommands(state('three_party_review', {}, 'completed'), { role: 'supervisor' })).toEqual([]);
  });
  it('an investigation asks the bureau for its conclusion', () => {
    expect(availableEscalationCommands(state('investigation', {}), { role: 'supervisor' }).map((c) => c.name)).toEqual(['conclude']);
  });
});

describe('the control-character check', () => {
  it('walks parsed JSON, not a streamed body (a recording upload)', () => {
    expect(controlCharacterAt({ a: ['ok', 'bad\u0000'] })).toBe('a.1');
    const stream = Readable.from([Buffer.alloc(10, 7)]);
    expect(controlCharacterAt(stream)).toBeUndefined();
    expect(controlCharacterAt(Buffer.alloc(10, 0))).toBeUndefined();
  });
});
