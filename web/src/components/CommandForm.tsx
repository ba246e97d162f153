import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useMutation } from '@tanstack/react-query';
import dayjs from 'dayjs';
import type { z } from 'zod';
import * as schemas from '../../../domain/commands';
import { api, ApiError, errorTitle, unwrap } from '../api/client';
import type { CommandAnswer } from '../api/types';
import type { CommandSpec } from '../commands';
import { UnitSelect } from './UnitSelect';

/** The API's own schema for each command body: the form validates as the API does. */
const bodySchemas: Record<string, z.ZodType> = {
  forward: schemas.forwardSchema,
  route: schemas.routeSchema,
  'not-accept': schemas.notAcceptSchema,
  link: schemas.linkSchema,
  accept: schemas.acceptSchema,
  object: schemas.objectSchema,
  extend: schemas.extendSchema,
  meetings: schemas.meetingSchema,
  reply: schemas.replySchema,
  evaluation: schemas.evaluationSchema,
  'return-visits': schemas.returnVisitSchema,
  'send-back': schemas.sendBackSchema,
  'review-request': schemas.reviewRequestSchema,
  'review-decision': schemas.reviewDecisionSchema,
  're-review-request': schemas.reviewRequestSchema,
  're-review-decision': schemas.reviewDecisionSchema,
  hearing: schemas.hearingSchema,
};

const ruleMessages: Record<string, string> = {
  'a meeting needs date, place and participants, or an exemption with its reason': '须填写见面日期、地点和参加人员，或填写免于见面的理由',
  'an unsatisfied evaluation needs its reason': '不满意须填写理由',
};

function toBody(spec: CommandSpec, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...spec.fixed };
  for (const f of spec.fields) {
    const v = values[f.name];
    if (v === undefined || v === null || v === '') continue;
    if (f.kind === 'date') body[f.name] = dayjs(v as dayjs.Dayjs).format('YYYY-MM-DD');
    else if (f.kind === 'list')
      body[f.name] = String(v)
        .split(/[，,、;；\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    else body[f.name] = v;
  }
  return body;
}

/** One command as a form in a dialog. On success the caller gets the new state the Update returned. */
export function CommandForm({ caseNo, spec, onClose, onDone }: { caseNo: string; spec: CommandSpec; onClose: () => void; onDone: (answer: CommandAnswer) => void }) {
  const [form] = Form.useForm();
  const run = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      // The path is one of the generated client's command routes; the body was checked against the API's schema.
      unwrap(api.POST(`/api/petitions/{caseNo}/${spec.path}` as '/api/petitions/{caseNo}/accept', { params: { path: { caseNo } }, body: body as never })),
    onSuccess: (answer) => onDone(answer),
    onError: (err) => {
      if (err instanceof ApiError && Object.keys(err.fields).length)
        form.setFields(Object.entries(err.fields).map(([name, message]) => ({ name: name.split('.')[0] as string, errors: [ruleMessages[message] ?? message] })));
    },
  });
  function submit(values: Record<string, unknown>) {
    const body = toBody(spec, values);
    const parsed = bodySchemas[spec.path]?.safeParse(body);
    if (parsed && !parsed.success) {
      form.setFields(parsed.error.issues.map((i) => ({ name: String(i.path[0] ?? spec.fields[0]?.name), errors: [ruleMessages[i.message] ?? i.message] })));
      return;
    }
    run.mutate(body);
  }
  const initial = Object.fromEntries(spec.fields.filter((f) => f.initial !== undefined).map((f) => [f.name, f.initial]));
  return (
    <Modal open title={spec.label} okText="提交" cancelText="取消" onCancel={onClose} onOk={() => form.submit()} confirmLoading={run.isPending} destroyOnHidden width={640}>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={initial} aria-label={spec.label}>
        {spec.fields.map((f) => (
          <Form.Item key={f.name} name={f.name} label={f.label} extra={f.help} rules={f.required ? [{ required: true, message: `请填写${f.label}` }] : undefined}>
            {f.kind === 'textarea' ? (
              <Input.TextArea rows={3} />
            ) : f.kind === 'date' ? (
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            ) : f.kind === 'number' ? (
              <InputNumber min={1} max={30} style={{ width: '100%' }} />
            ) : f.kind === 'select' ? (
              <Select options={Object.entries(f.options ?? {}).map(([value, label]) => ({ value, label }))} />
            ) : f.kind === 'unit' ? (
              <UnitSelect />
            ) : (
              <Input />
            )}
          </Form.Item>
        ))}
      </Form>
      {run.error ? <Alert type="error" showIcon role="alert" message={errorTitle(run.error)} description={`原因：${run.error.message}`} data-testid="refusal" /> : null}
    </Modal>
  );
}
