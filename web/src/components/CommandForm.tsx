import { Alert, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useMutation } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { ApiError, errorTitle } from '../api/client';
import type { FieldSpec, FormSpec } from '../forms';
import { UnitSelect } from './UnitSelect';

const ruleMessages: Record<string, string> = {
  'a meeting needs date, place and participants, or an exemption with its reason': '须填写见面日期、地点和参加人员，或填写免于见面的理由',
  'an unsatisfied evaluation needs its reason': '不满意须填写理由',
};

/** The body a form sends: dates as YYYY-MM-DD, lists split at Chinese or Latin separators, empty fields left out. */
export function toBody(spec: FormSpec, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...spec.fixed };
  for (const f of spec.fields) {
    const v = values[f.name];
    if (v === undefined || v === null || v === '') continue;
    if (f.kind === 'date') body[f.name] = dayjs(v as dayjs.Dayjs).format('YYYY-MM-DD');
    else if (f.kind === 'list')
      body[f.name] = String(v)
        .split(/[，,、;；\n]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    else body[f.name] = v;
  }
  return body;
}

/** One field of a form, by its kind. */
export function FieldInput({ f, ...rest }: { f: FieldSpec }) {
  switch (f.kind) {
    case 'textarea':
      return <Input.TextArea rows={3} {...rest} />;
    case 'date':
      return <DatePicker style={{ width: '100%' }} disabledDate={f.future ? undefined : (d) => d.isAfter(dayjs(), 'day')} {...rest} />;
    case 'number':
      return <InputNumber min={f.min} max={f.max} style={{ width: '100%' }} {...rest} />;
    case 'select':
      return <Select showSearch optionFilterProp="label" options={Object.entries(f.options ?? {}).map(([value, label]) => ({ value, label }))} {...rest} />;
    case 'unit':
      return <UnitSelect {...rest} />;
    case 'boolean':
      return <Checkbox {...rest}>{f.label}</Checkbox>;
    case 'list':
      return <Input {...rest} />;
    default:
      return <Input {...rest} />;
  }
}

/** The form items of a spec; `extra` goes under the fields (e.g. an upload). */
export function FormFields({ spec }: { spec: FormSpec }) {
  return (
    <>
      {spec.fields.map((f) => (
        <Form.Item
          key={f.name}
          name={f.name}
          label={f.kind === 'boolean' ? undefined : f.label}
          valuePropName={f.kind === 'boolean' ? 'checked' : undefined}
          extra={f.help ?? (f.kind === 'list' ? '多项以顿号或逗号分隔' : undefined)}
          rules={f.required && f.kind !== 'boolean' ? [{ required: true, message: `请填写${f.label}` }] : undefined}
        >
          <FieldInput f={f} />
        </Form.Item>
      ))}
    </>
  );
}

/** Puts the API's (or the schema's) field errors on the fields; true when there were any. */
export function showFieldErrors(form: ReturnType<typeof Form.useForm>[0], spec: FormSpec, issues: { path: string; message: string }[]): boolean {
  const known = new Set(spec.fields.map((f) => f.name));
  const onFields = issues.map((i) => ({ name: known.has(i.path) ? i.path : spec.fields[0]!.name, errors: [ruleMessages[i.message] ?? i.message] }));
  form.setFields(onFields);
  return onFields.length > 0;
}

/**
 * One command as a form in a dialog: validated with the API's own schema before it is sent, the API's field errors
 * put on the fields, a refusal shown with its reason. On success the caller gets the answer (the new state).
 */
export function CommandForm<A>({ spec, send, onClose, onDone }: { spec: FormSpec; send: (body: Record<string, unknown>) => Promise<A>; onClose: () => void; onDone: (answer: A) => void }) {
  const [form] = Form.useForm();
  const run = useMutation({
    mutationFn: send,
    onSuccess: (answer) => onDone(answer),
    onError: (err) => {
      if (err instanceof ApiError && Object.keys(err.fields).length)
        showFieldErrors(form, spec, Object.entries(err.fields).map(([path, message]) => ({ path: path.split('.')[0] as string, message })));
    },
  });
  function submit(values: Record<string, unknown>) {
    const body = toBody(spec, values);
    const parsed = spec.schema.safeParse(body);
    if (!parsed.success) {
      showFieldErrors(form, spec, parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? ''), message: i.message })));
      return;
    }
    run.mutate(body);
  }
  const initial = Object.fromEntries(spec.fields.filter((f) => f.initial !== undefined).map((f) => [f.name, f.initial]));
  return (
    <Modal open title={spec.label} okText="提交" cancelText="取消" onCancel={onClose} onOk={() => form.submit()} confirmLoading={run.isPending} destroyOnHidden width={640}>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={initial} aria-label={spec.label}>
        <FormFields spec={spec} />
      </Form>
      {run.error ? <Alert type="error" showIcon role="alert" message={errorTitle(run.error)} description={`原因：${run.error.message}`} data-testid="refusal" /> : null}
    </Modal>
  );
}
