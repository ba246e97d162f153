import { Select } from 'antd';
import { useReference } from '../reference';

/** Responsible units (事权单位), searchable by name. */
export function UnitSelect(props: { value?: string; onChange?: (v: string) => void; id?: string; 'aria-label'?: string }) {
  const { data, isPending } = useReference();
  const options = (data?.units ?? []).filter((u) => u.kind !== 'petition_bureau').map((u) => ({ value: u.id, label: u.name }));
  return <Select showSearch optionFilterProp="label" loading={isPending} options={options} placeholder="选择责任单位" style={{ width: '100%' }} {...props} />;
}
